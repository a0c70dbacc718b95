//! The store's messages: the codes of the store's errors a user can meet (wrong
//! key, damaged file, full disk), in Indonesian and English.

/// Messages for store problems the user can see (the codes of the store's `Error`s).
pub static MESSAGES: &[super::Entry] = &[
    (
        "pin.format",
        "PIN harus 4 sampai 8 angka.",
        "A PIN is 4 to 8 digits.",
    ),
    (
        "pin.trivial",
        "PIN ini terlalu mudah ditebak (angka sama, berurutan, atau berpola). Pilih PIN lain.",
        "This PIN is too easy to guess (one digit, a run, or a pattern). Choose another PIN.",
    ),
    (
        "pin.wrong",
        "PIN salah. Tidak ada yang diubah.",
        "Wrong PIN. Nothing was changed.",
    ),
    (
        "pin.locked",
        "Terlalu banyak PIN salah. Tunggu sebentar sebelum mencoba lagi.",
        "Too many wrong PINs. Wait a while before trying again.",
    ),
    (
        "pin.required",
        "Profil ini dikunci dengan PIN. Masukkan PIN untuk membukanya.",
        "This profile is locked with a PIN. Enter the PIN to open it.",
    ),
    (
        "pin.exists",
        "Profil ini sudah punya PIN. Ganti PIN dengan memasukkan PIN lama.",
        "This profile has a PIN already. Change it by entering the old PIN.",
    ),
    (
        "pin.none",
        "Profil ini belum punya PIN.",
        "This profile has no PIN.",
    ),
    (
        "pin.attempts_left",
        "Sisa {left} kali percobaan sebelum harus menunggu.",
        "{left} tries left before a wait.",
    ),
    (
        "pin.attempts_left.one",
        "Sisa {left} kali percobaan sebelum harus menunggu.",
        "{left} try left before a wait.",
    ),
    (
        "pin.wait",
        "Coba lagi dalam {minutes} menit.",
        "Try again in {minutes} min.",
    ),
    ("profile.label", "Profil {n}", "Profile {n}"),
    (
        "backup.weak_passphrase",
        "Kata sandi cadangan minimal 10 karakter. Pakai kalimat yang mudah Anda ingat.",
        "A backup passphrase needs at least 10 characters. Use a sentence you will remember.",
    ),
    (
        "backup.wrong_passphrase",
        "Kata sandi tidak cocok dengan cadangan ini, atau berkasnya sudah berubah. Tidak ada yang diubah.",
        "The passphrase does not open this backup, or the file was changed. Nothing was changed.",
    ),
    (
        "backup.damaged",
        "Berkas ini bukan cadangan Rantau yang utuh (mungkin terpotong). Tidak ada yang diubah.",
        "This file is not a whole Rantau backup (it may be cut short). Nothing was changed.",
    ),
    (
        "backup.too_new",
        "Cadangan ini dibuat oleh versi aplikasi yang lebih baru. Perbarui aplikasi, lalu pulihkan lagi.",
        "This backup was written by a newer version of the app. Update the app, then restore again.",
    ),
    (
        "store.wrong_key",
        "Kunci tidak dapat membuka profil ini.",
        "The key does not open this profile.",
    ),
    (
        "store.invalid_key",
        "Kunci profil harus 32 byte (64 digit heksadesimal).",
        "A profile key must be 32 bytes (64 hex digits).",
    ),
    (
        "store.not_a_database",
        "Berkas profil tidak dapat dibaca. Berkas tidak diubah; Anda dapat menyisihkannya dan membuat profil baru.",
        "The profile file cannot be read. It was left unchanged; you can set it aside and start a new profile.",
    ),
    (
        "store.schema_too_new",
        "Profil ini dibuat oleh versi aplikasi yang lebih baru. Perbarui aplikasi.",
        "This profile was written by a newer version of the app. Please update the app.",
    ),
    (
        "store.full",
        "Penyimpanan ponsel penuh. Tidak ada yang hilang; kosongkan ruang lalu coba lagi.",
        "The phone's storage is full. Nothing was lost; free some space and try again.",
    ),
    (
        "store.io_error",
        "Memori ponsel gagal menyimpan data. Data yang sudah tersimpan tetap aman; periksa ruang penyimpanan lalu coba lagi.",
        "The phone's storage failed to save the data. What was saved before is safe; check the storage and try again.",
    ),
    (
        "store.malformed",
        "Sebagian data tersimpan rusak dan tidak dapat dibaca.",
        "Some stored data is damaged and cannot be read.",
    ),
    (
        "attachment.too_large",
        "Berkas terlalu besar ({size}; paling besar {max}). Foto ulang dengan resolusi lebih kecil.",
        "The file is too large ({size}; at most {max}). Take the photo again at a lower resolution.",
    ),
    (
        "attachment.too_many_pages",
        "Halaman dokumen ini sudah lengkap. Hapus satu halaman dulu sebelum menambah yang baru.",
        "This document has all the pages it takes. Remove a page before adding another.",
    ),
    (
        "attachment.unsupported_type",
        "Jenis berkas tidak diterima. Kirim foto JPEG atau PNG, atau berkas PDF.",
        "This type of file is not accepted. Send a JPEG or PNG photo, or a PDF file.",
    ),
    (
        "attachment.not_found",
        "Berkas tidak ditemukan.",
        "No such file.",
    ),
    (
        "profile.not_found",
        "Profil tidak ditemukan.",
        "No such profile.",
    ),
    (
        "profile.exists",
        "Profil dengan nama itu sudah ada.",
        "A profile with that name exists already.",
    ),
    (
        "profile.not_damaged",
        "Profil ini dapat dibuka dan tidak rusak, jadi tidak disisihkan.",
        "This profile opens and is not damaged, so it was not set aside.",
    ),
    (
        "profile.invalid_name",
        "Nama profil hanya boleh berisi huruf, angka, '-' dan '_' (1 sampai 64 karakter).",
        "Profile names use letters, digits, '-' and '_' (1 to 64 characters).",
    ),
    (
        "store.sqlite",
        "Data di ponsel tidak dapat dibaca atau disimpan saat ini. Tutup aplikasi lalu coba lagi; isian yang sudah tersimpan tidak hilang.",
        "The data on this phone could not be read or saved just now. Close the app and try again; what was saved is not lost.",
    ),
    (
        "store.io",
        "Penyimpanan ponsel tidak dapat dipakai saat ini. Periksa ruang kosong, lalu coba lagi.",
        "The phone's storage could not be used just now. Check there is free space, then try again.",
    ),
];
