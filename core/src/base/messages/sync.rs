//! The sync engine's messages: the issues it sets on submissions, in Indonesian
//! and English.

/// Messages for sync outcomes the user sees (issues set on submissions).
pub static MESSAGES: &[super::Entry] = &[
    (
        "link.code_wrong",
        "Kode salah. Tidak ada yang berubah. Setelah 5 kode salah, permintaan dikunci.",
        "Wrong code. Nothing was changed. After 5 wrong codes the request is locked.",
    ),
    (
        "link.tries_left",
        "Sisa percobaan: {left}.",
        "Tries left: {left}.",
    ),
    (
        "link.code_expired",
        "Kode sudah kedaluwarsa (berlaku 15 menit). Minta kode baru. Tidak ada yang berubah.",
        "The code has expired (it is good for 15 minutes). Ask for a new code. Nothing was changed.",
    ),
    (
        "link.code_used",
        "Kode ini sudah dipakai. Minta kode baru bila ponsel ini belum tertaut. Tidak ada yang berubah.",
        "This code was used already. Ask for a new code if this phone is not linked yet. Nothing was changed.",
    ),
    (
        "link.locked",
        "Terlalu banyak kode salah: permintaan ini dikunci. Mulai lagi dengan \"Saya sudah terdaftar\". Tidak ada yang berubah.",
        "Too many wrong codes: this request is locked. Start again with \"I am already registered\". Nothing was changed.",
    ),
    (
        "link.not_found",
        "Belum ada permintaan tautan di ponsel ini. Mulai dengan \"Saya sudah terdaftar\".",
        "No link request on this phone yet. Start with \"I am already registered\".",
    ),
    (
        "link.invalid",
        "Isi NIK (16 digit) atau nomor KPJ, dan tanggal lahir (HH-BB-TTTT).",
        "Enter the NIK (16 digits) or the KPJ number, and the birth date (DD-MM-YYYY).",
    ),
    (
        "link.started_email",
        "Jika data cocok dan alamat e-mail Anda tercatat, kode 6 angka dikirim ke e-mail itu. Kode berlaku 15 menit. Jika tidak ada e-mail, minta kode ke petugas di KBRI/KJRI/KDEI.",
        "If the details match and your e-mail address is on file, a 6-digit code was sent to it. It is good for 15 minutes. If nothing arrives, ask an officer at the embassy, consulate or KDEI for a code.",
    ),
    (
        "link.started_officer",
        "Tunjukkan paspor Anda kepada petugas di KBRI/KJRI/KDEI dan minta kode tautan. Kode berlaku 15 menit.",
        "Show your passport to an officer at the embassy, consulate or KDEI and ask for a link code. It is good for 15 minutes.",
    ),
    (
        "link.linked",
        "Ponsel ini sudah tertaut. Kartu, status, pembayaran dan balasan Anda akan tampil.",
        "This phone is linked. Your card, status, payments and replies will show.",
    ),
    (
        "sync.unauthorized",
        "Server menolak izin perangkat ini. Sinkronkan lagi untuk mendaftarkannya kembali.",
        "The server refused this device's access. Sync again to enroll it again.",
    ),
    (
        "sync.device_secret_mismatch",
        "Server tidak mengenali kunci rahasia perangkat ini, jadi perangkat tidak dapat didaftarkan kembali. Pulihkan profil dari cadangannya atau hubungi petugas. Formulir Anda tetap tersimpan di ponsel.",
        "The server does not recognise this device's secret, so it cannot enroll again. Restore the profile from its backup or contact an officer. Your forms stay saved on the phone.",
    ),
    (
        "sync.registration_rejected",
        "Pendaftaran ditolak petugas: {reason}",
        "The registration was rejected by an officer: {reason}",
    ),
    (
        "sync.conflict",
        "Server sudah menerima kiriman lain dengan nomor yang sama. Buka kembali formulir dan kirim ulang.",
        "The server already holds a different submission with this id. Reopen the form and send it again.",
    ),
    (
        "sync.tls",
        "Sambungan aman ke server ditolak: sertifikatnya tidak tepercaya, bukan untuk alamat ini, atau kedaluwarsa. Tidak ada data yang dikirim; formulir tetap tersimpan di ponsel.",
        "The secure connection to the server was refused: its certificate is not trusted, not for this address, or expired. Nothing was sent; your forms stay on the phone.",
    ),
    (
        "sync.redirect",
        "Server mengalihkan ke alamat lain. Rantau tidak mengikutinya, jadi data Anda tidak dikirim ke tempat lain; formulir tetap tersimpan di ponsel.",
        "The server redirected to another address. Rantau does not follow it, so your data is not sent elsewhere; your forms stay on the phone.",
    ),
    (
        "sync.invalid_roots",
        "Sertifikat akar yang diberikan untuk server tidak dapat dibaca (harus berformat PEM).",
        "The root certificates given for the server cannot be read (PEM expected).",
    ),
    (
        "sync.network",
        "Koneksi ke server terputus. Formulir Anda aman dan akan dikirim lagi.",
        "The connection to the server failed. Your forms are safe and will be sent again.",
    ),
    (
        "sync.server",
        "Server sedang bermasalah. Formulir Anda aman dan akan dikirim lagi.",
        "The server has a problem. Your forms are safe and will be sent again.",
    ),
    (
        "sync.protocol",
        "Jawaban server tidak dapat dibaca (jaringan mungkin mengubahnya). Formulir Anda aman.",
        "The server's answer could not be read (the network may have altered it). Your forms are safe.",
    ),
    (
        "sync.missing_answer",
        "Server belum menjawab formulir ini; akan dikirim lagi.",
        "The server did not answer for this form; it will be sent again.",
    ),
    (
        "sync.invalid_url",
        "Alamat server tidak sah.",
        "The server address is not valid.",
    ),
    (
        "sync.insecure_url",
        "Alamat server harus memakai https.",
        "The server address must use https.",
    ),
    (
        "interrupted",
        "Sinkronisasi dihentikan. Tidak ada yang hilang.",
        "Syncing was stopped. Nothing was lost.",
    ),
];
