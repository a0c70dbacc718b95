//! The app's own words: outbox buckets, sync waits and the form screen's notes,
//! in Indonesian and English. Data only, like the other tables.

/// Messages the app API renders (bucket labels, sync states, form notes).
pub static MESSAGES: &[super::Entry] = &[
    (
        "submission.already_left",
        "Formulir ini sudah mulai dikirim, jadi tidak bisa ditarik kembali menjadi draf.",
        "This form has already started on its way, so it can no longer be taken back to a draft.",
    ),
    (
        "submission.needed_by_another",
        "Formulir lain yang menunggu dikirim bergantung pada formulir ini. Tarik kembali formulir itu lebih dulu.",
        "Another form waiting to be sent depends on this one. Take that one back first.",
    ),
    (
        "outbox.taken_back",
        "Ditarik kembali menjadi draf. Ubah lalu kirim lagi bila sudah siap.",
        "Taken back to a draft. Change it, then send it again when it is ready.",
    ),
    (
        "outbox.waiting_to_send",
        "Menunggu dikirim",
        "Waiting to send",
    ),
    ("outbox.sending", "Sedang dikirim", "Sending"),
    ("quote.title", "Ringkasan iuran", "Contribution summary"),
    ("quote.pre_placement", "Sebelum penempatan", "Pre-placement"),
    ("quote.placement", "Masa penempatan", "Placement"),
    ("quote.jht_monthly", "JHT per bulan", "JHT per month"),
    ("quote.total", "Dibayar sekarang", "Due now"),
    (
        "quote.estimate",
        "Perkiraan: jumlah pasti ada pada kode pembayaran.",
        "Estimate: the payment code carries the exact amount.",
    ),
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
    ("sync.running", "Menyinkronkan…", "Syncing…"),
    (
        "sync.step_enrolling",
        "Menghubungkan ponsel ini ke server…",
        "Connecting this phone to the server…",
    ),
    (
        "sync.step_sending",
        "Mengirim {sent} dari {total} formulir",
        "Sending {sent} of {total} forms",
    ),
    (
        "sync.step_uploading",
        "Mengunggah dokumen ({done} dari {total} berkas)",
        "Uploading documents ({done} of {total} files)",
    ),
    (
        "sync.step_receiving",
        "Menerima kabar baru",
        "Receiving news",
    ),
    (
        "sync.wait_no_network",
        "Menunggu jaringan internet",
        "Waiting for an internet connection",
    ),
    (
        "sync.wait_wifi_only",
        "Menunggu Wi-Fi (Anda memilih hanya lewat Wi-Fi)",
        "Waiting for Wi-Fi (you chose Wi-Fi only)",
    ),
    (
        "sync.wait_roaming",
        "Tidak dikirim saat roaming",
        "Not sent while roaming",
    ),
    (
        "sync.wait_server",
        "Server sedang sibuk; dikirim lagi {when}",
        "The server is busy; sending again {when}",
    ),
    (
        "sync.wait_retrying",
        "Koneksi gagal; dicoba lagi {when}",
        "The connection failed; trying again {when}",
    ),
    (
        "sync.within_a_minute",
        "dalam satu menit",
        "within a minute",
    ),
    ("sync.within_minutes", "dalam {n} menit", "in {n} minutes"),
    ("sync.within_hours", "dalam {n} jam", "in {n} hours"),
    ("sync.last_synced", "Tersinkron {age}", "Synced {age}"),
    ("sync.never", "Belum pernah disinkronkan", "Never synced"),
    (
        "sync.last_result",
        "{accepted} diterima, {rejected} ditolak, {waiting} menunggu, {received} kabar baru",
        "{accepted} accepted, {rejected} refused, {waiting} waiting, {received} news received",
    ),
    (
        "sync.action_network_settings",
        "Buka pengaturan jaringan",
        "Open network settings",
    ),
    (
        "sync.action_allow_mobile_data",
        "Kirim juga lewat data seluler",
        "Send over mobile data too",
    ),
    (
        "sync.action_allow_roaming",
        "Izinkan saat roaming",
        "Allow while roaming",
    ),
    (
        "sync.action_sync_now",
        "Coba lagi sekarang",
        "Try again now",
    ),
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
    ("status.not_registered", "Belum terdaftar", "Not registered"),
    (
        "status.pending",
        "Pendaftaran menunggu dikirim atau diproses",
        "Registration waiting to be sent or processed",
    ),
    (
        "status.unpaid",
        "Terdaftar, iuran belum dibayar",
        "Registered, contribution not paid",
    ),
    (
        "status.active",
        "AKTIF ({phase}) sampai {until}",
        "ACTIVE ({phase}) until {until}",
    ),
    (
        "status.not_yet_active",
        "Terlindungi mulai {starts}",
        "Protected from {starts}",
    ),
    (
        "status.expired",
        "Perlindungan berakhir {ended}",
        "Protection ended {ended}",
    ),
    (
        "status.phase_pre_placement",
        "sebelum bekerja",
        "pre-placement",
    ),
    ("status.phase_placement", "selama bekerja", "placement"),
    (
        "status.phase_post_placement",
        "setelah bekerja",
        "post-placement",
    ),
    (
        "status.updated",
        "Data diperbarui {age}",
        "Data updated {age}",
    ),
    (
        "status.no_data",
        "Belum ada data dari server",
        "No data from the server yet",
    ),
    (
        "status.age_never",
        "belum pernah diperbarui",
        "never updated",
    ),
    ("status.age_just_now", "baru saja", "just now"),
    ("status.age_minutes", "{n} menit lalu", "{n} minutes ago"),
    ("status.age_hours", "{n} jam lalu", "{n} hours ago"),
    ("status.age_days", "{n} hari lalu", "{n} days ago"),
];
