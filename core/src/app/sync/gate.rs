//! Whether a sync may run now: the phone's network against the worker's settings.
//! Data abroad is expensive and roaming data ruinous, so the worker decides; when a
//! setting holds a sync back, the reason is shown with what would help. Documents
//! (photos of a KTP, a passport) weigh a hundred times a form: the worker may keep
//! them for Wi-Fi while forms still go ([`documents_held`]).

use serde::Serialize;

/// The network as the phone sees it now (the app reports it; the CLI: connected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Network {
    /// Some network is up.
    pub connected: bool,
    /// It is not metered (Wi-Fi, usually).
    pub unmetered: bool,
    /// The SIM is roaming (an Indonesian SIM abroad).
    pub roaming: bool,
}

impl Network {
    /// A computer's network: connected, unmetered, not roaming.
    pub const WIRED: Network = Network {
        connected: true,
        unmetered: true,
        roaming: false,
    };
}

/// The worker's choices about data use, kept in the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncSettings {
    /// Sync only on Wi-Fi (an unmetered network).
    pub wifi_only: bool,
    /// Sync while roaming too.
    pub allow_roaming: bool,
    /// Send document files only on Wi-Fi (an unmetered network); forms and news
    /// still go on mobile data.
    pub documents_wifi_only: bool,
}

impl Default for SyncSettings {
    /// Any network, but not while roaming: roaming data costs many times a local
    /// SIM's, and the worker is told when this holds a sync back. Documents go on
    /// any allowed network too: a registration is complete only when its KTP photo
    /// arrives, and the worker sees the size waiting and may choose Wi-Fi for them.
    fn default() -> Self {
        SyncSettings {
            wifi_only: false,
            allow_roaming: false,
            documents_wifi_only: false,
        }
    }
}

/// Why nothing is being sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum WaitReason {
    /// No network.
    NoNetwork,
    /// Only mobile data, and the worker chose Wi-Fi only.
    WifiOnly,
    /// Roaming, and the worker did not allow syncing while roaming.
    Roaming,
    /// Forms were sent, but document files wait: only mobile data, and the worker
    /// chose documents on Wi-Fi only.
    DocumentsWifiOnly,
    /// The server is busy and asked to come back at `until` (unix ms).
    ServerAskedToWait {
        /// When the outbox is sent again (unix ms).
        until: i64,
    },
    /// The last try failed (the link broke, the server did not answer): the next
    /// try is at `at` (unix ms), or at the next sync.
    Retrying {
        /// When the next try is due (unix ms).
        at: i64,
    },
}

/// The reason `network` and `settings` hold a sync back, or `None` when it may run.
pub fn gate(network: Network, settings: SyncSettings) -> Option<WaitReason> {
    if !network.connected {
        Some(WaitReason::NoNetwork)
    } else if network.roaming && !settings.allow_roaming {
        Some(WaitReason::Roaming)
    } else if settings.wifi_only && !network.unmetered {
        Some(WaitReason::WifiOnly)
    } else {
        None
    }
}

/// True when `settings` keep document files back on `network` (a sync that may
/// run sends forms and pulls news, and leaves the files waiting).
pub fn documents_held(network: Network, settings: SyncSettings) -> bool {
    settings.documents_wifi_only && !network.unmetered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(connected: bool, unmetered: bool, roaming: bool) -> Network {
        Network {
            connected,
            unmetered,
            roaming,
        }
    }

    #[test]
    fn every_combination_runs_or_names_its_reason() {
        let any = SyncSettings {
            wifi_only: false,
            allow_roaming: true,
            documents_wifi_only: false,
        };
        let careful = SyncSettings::default();
        let wifi = SyncSettings {
            wifi_only: true,
            allow_roaming: false,
            documents_wifi_only: false,
        };
        assert_eq!(
            gate(net(false, true, false), any),
            Some(WaitReason::NoNetwork)
        );
        assert_eq!(gate(net(true, false, true), any), None);
        assert_eq!(
            gate(net(true, false, true), careful),
            Some(WaitReason::Roaming)
        );
        assert_eq!(gate(net(true, false, false), careful), None);
        assert_eq!(
            gate(net(true, false, false), wifi),
            Some(WaitReason::WifiOnly)
        );
        assert_eq!(gate(net(true, true, false), wifi), None);
        assert_eq!(gate(Network::WIRED, careful), None);
    }

    #[test]
    fn documents_wait_only_on_a_metered_network_and_only_when_chosen() {
        let docs_on_wifi = SyncSettings {
            documents_wifi_only: true,
            ..SyncSettings::default()
        };
        let mobile = net(true, false, false);
        // Forms still go on mobile data: the sync itself is not held back.
        assert_eq!(gate(mobile, docs_on_wifi), None);
        assert!(documents_held(mobile, docs_on_wifi));
        assert!(!documents_held(net(true, true, false), docs_on_wifi));
        assert!(!documents_held(mobile, SyncSettings::default()));
        assert!(!SyncSettings::default().documents_wifi_only);
    }
}
