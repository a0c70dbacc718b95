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
    }
}
rootProject.name = "rantau"
include(":facade", ":app")
