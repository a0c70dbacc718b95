//! A profile: one worker's (or one helped worker's) encrypted database, and the
//! operations the app performs on it.
