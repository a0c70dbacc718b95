// Rantau Android: the thin app and the Kotlin facade it shares with the JVM tests.
// Needs the Android SDK + NDK and Google's Maven repository (not available in CI here).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The Kotlin half of rustls-platform-verifier (the core's TLS certificate check on
        // Android), published by its authors as a Maven repository on GitHub (see the
        // crate's README, "Gradle Setup"); only its own group is taken from there.
        maven {
            url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            content { includeGroup("org.rustls") }
        }
    }
}
rootProject.name = "rantau"
include(":facade", ":app")
