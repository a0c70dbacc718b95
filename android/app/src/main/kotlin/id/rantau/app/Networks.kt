package id.rantau.app

import android.content.Context
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import id.rantau.core.Network

/** The network as the core wants to know it; the core decides whether to sync. */
object Networks {
    /** The active network now: connected, unmetered (Wi-Fi), roaming. */
    fun current(context: Context): Network {
        val cm = context.getSystemService(ConnectivityManager::class.java)
        val caps = cm?.activeNetwork?.let { cm.getNetworkCapabilities(it) }
            ?: return Network(connected = false, unmetered = false, roaming = false)
        return Network(
            connected = caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET),
            unmetered = caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED),
            roaming = !caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_ROAMING),
        )
    }
}
