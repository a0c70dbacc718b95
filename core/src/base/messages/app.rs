//! The app's own words: outbox buckets, sync waits and the form screen's notes,
//! in Indonesian and English. Data only, like the other tables.

/// Messages the app API renders (bucket labels, sync states, form notes).
pub static MESSAGES: &[super::Entry] = &[
    (
        "outbox.waiting_to_send",
        "Menunggu dikirim",
        "Waiting to send",
    ),
    ("outbox.sending", "Sedang dikirim", "Sending"),
    (
        "outbox.waiting_for_network",
        "Menunggu jaringan",
        "Waiting for the network",
    ),
    (
        "outbox.waiting_for_server",
        "Menunggu server",
        "Waiting for the server",
    ),
    (
        "outbox.waiting_for_registration",
        "Menunggu pendaftaran Anda diterima",
        "Waiting for your registration to be accepted",
    ),
    ("outbox.needs_fixing", "Perlu diperbaiki", "Needs fixing"),
    (
        "outbox.needs_help",
        "Perlu tindakan Anda",
        "Needs your action",
    ),
    ("outbox.accepted", "Diterima", "Accepted"),
    (
        "outbox.summary_on_its_way",
        "Dalam pengiriman: {count}",
        "On its way: {count}",
    ),
    (
        "outbox.summary_needs_action",
        "Perlu tindakan Anda: {count}",
        "Needs your action: {count}",
    ),
    ("sync.idle", "Siap disinkronkan", "Ready to sync"),
    ("sync.running", "Menyinkronkan…", "Syncing…"),
    (
        "sync.wait_no_network",
        "Menunggu jaringan internet",
        "Waiting for an internet connection",
    ),
    (
        "sync.wait_wifi_only",
        "Menunggu Wi-Fi (Anda memilih sinkron hanya lewat Wi-Fi)",
        "Waiting for Wi-Fi (you chose to sync on Wi-Fi only)",
    ),
    (
        "sync.wait_roaming",
        "Tidak sinkron saat roaming (Anda memilih begitu)",
        "Not syncing while roaming (as you chose)",
    ),
    (
        "sync.wait_server",
        "Server meminta menunggu; dicoba lagi pukul {time}",
        "The server asked to wait; trying again at {time}",
    ),
    (
        "sync.wait_retry",
        "Gagal terhubung; dicoba lagi pukul {time}",
        "Could not connect; trying again at {time}",
    ),
    ("sync.done", "Tersinkron pukul {time}", "Synced at {time}"),
    (
        "form.page_of",
        "Halaman {page} dari {pages}",
        "Page {page} of {pages}",
    ),
    ("form.pages_attached", "{count} halaman", "{count} page(s)"),
    ("form.yes", "Ya", "Yes"),
    ("form.no", "Tidak", "No"),
    (
        "form.fix_before_sending",
        "Perbaiki {count} isian sebelum mengirim",
        "Fix {count} answer(s) before sending",
    ),
];
