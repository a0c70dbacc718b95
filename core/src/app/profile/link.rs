//! "Saya sudah terdaftar" (I am already registered): linking this phone to a
//! worker registered elsewhere (by a placement company, or on an old phone), so
//! the server's change feed brings their card, status, payments and replies.
//! The worker names themself by NIK or KPJ and birth date; a one-time code
//! arrives by e-mail (only to the address the agency holds for them) or from an
//! officer at a service point; the code links the phone, then a sync pulls.
//! `docs/link.md` holds the threat model.

use serde::Serialize;

use super::Profile;
use crate::app::sync::Network;
use crate::base::error::{Error, Result};
use crate::base::messages::render;
use crate::domain::date::parse_date;
use crate::domain::kpj::Kpj;
use crate::domain::nik::Nik;
use crate::protocol::wire::LinkStartRequest;
use crate::store::meta::{get_meta, set_meta};
use crate::sync::{self, NoObserver, SyncConfig};

/// Meta keys: the attempt waiting for its code, and its wrong tries so far.
const META_LINK_ID: &str = "link.id";
const META_LINK_WRONG: &str = "link.wrong";

/// Wrong codes that lock an attempt (the server's rule, counted here to say how
/// many tries are left).
const MAX_WRONG: u32 = 5;

/// How the one-time code reaches the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LinkChannel {
    /// E-mailed to the address the agency holds for the worker (from their
    /// registration form or the officer's records). No Indonesian SIM needed.
    Email,
    /// Handed over by an officer at an embassy, consulate or KDEI after checking
    /// the passport.
    Officer,
}

/// Who the worker says they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LinkRequest {
    /// The NIK (16 digits) or the KPJ number (10 to 15 digits): the screen has
    /// one field; the number of digits says which.
    pub nik_or_kpj: String,
    /// Birth date as typed (`DD-MM-YYYY`, or `YYYY-MM-DD`).
    pub birth_date: String,
    /// How the code should come.
    pub channel: LinkChannel,
}

/// A link attempt waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LinkPending {
    /// What to do now, worded for the worker (where the code comes from, how
    /// long it lasts). The same whether or not the details matched anyone.
    pub message: String,
    /// Until when the code can be typed (RFC 3339).
    pub expires_at: String,
}

/// The phone is linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Linked {
    /// Worded for the worker.
    pub message: String,
    /// The card's number after the sync that followed, when it came.
    pub kpj: Option<String>,
}

/// The request on the wire: which number the digits are, the birth date as
/// `YYYY-MM-DD`. A NIK, KPJ or birth date that cannot be one is
/// [`Error::LinkInvalid`], refused before anything is sent.
fn wire(request: &LinkRequest) -> Result<LinkStartRequest> {
    let digits: String = request
        .nik_or_kpj
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let (nik, kpj) = if digits.len() == 16 {
        let nik = Nik::parse(&digits).map_err(|_| Error::LinkInvalid)?;
        (Some(nik.as_str().to_string()), None)
    } else {
        let kpj = Kpj::parse(&digits).map_err(|_| Error::LinkInvalid)?;
        (None, Some(kpj.as_str().to_string()))
    };
    let birth = parse_date(request.birth_date.trim()).map_err(|_| Error::LinkInvalid)?;
    Ok(LinkStartRequest {
        nik,
        kpj,
        birth_date: birth.format("%Y-%m-%d").to_string(),
        channel: match request.channel {
            LinkChannel::Email => "email",
            LinkChannel::Officer => "officer",
        }
        .to_string(),
    })
}

impl Profile {
    /// Asks the server of `config` for a one-time code to link this phone to the
    /// worker `request` names (enrolling the device first if needed). The answer
    /// is the same whether or not the details match: it never says who is
    /// registered. A new start replaces an attempt still waiting.
    pub async fn link_start(
        &self,
        config: &SyncConfig,
        request: &LinkRequest,
    ) -> Result<LinkPending> {
        // Linking brings a person's records onto this profile: the user's act, behind the PIN.
        self.for_the_user()?;
        let wire = wire(request)?;
        let started = sync::link::start(&self.store, config, &wire).await?;
        self.store.write(|tx| {
            set_meta(tx, META_LINK_ID, &started.link_id)?;
            set_meta(tx, META_LINK_WRONG, "0")
        })?;
        let code = match request.channel {
            LinkChannel::Email => "link.started_email",
            LinkChannel::Officer => "link.started_officer",
        };
        Ok(LinkPending {
            message: render(code, self.lang(), &[]),
            expires_at: started.expires_at,
        })
    }

    /// True while an attempt waits for its code on this phone.
    pub fn link_pending(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|c| get_meta(c, META_LINK_ID))?
            .is_some_and(|id| !id.is_empty()))
    }

    /// Types the one-time code for the attempt waiting on this phone. Linked: the
    /// attempt is forgotten and a sync follows (if `network` and the settings
    /// allow), so the card, status, payments and replies appear. Refused: a typed
    /// error ([`Error::LinkCodeWrong`] with the tries left, `LinkCodeExpired`,
    /// `LinkCodeUsed`, `LinkLocked`, `LinkNotStarted`); nothing changes on the
    /// phone but the count of wrong tries.
    pub async fn link_confirm(
        &self,
        config: &SyncConfig,
        code: &str,
        network: Network,
    ) -> Result<Linked> {
        self.for_the_user()?;
        let (id, wrong) = self.store.read(|c| {
            Ok((
                get_meta(c, META_LINK_ID)?.filter(|v| !v.is_empty()),
                get_meta(c, META_LINK_WRONG)?
                    .and_then(|v| v.parse::<u32>().ok())
                    .unwrap_or(0),
            ))
        })?;
        let id = id.ok_or(Error::LinkNotStarted)?;
        match sync::link::confirm(&self.store, config, &id, code).await {
            Ok(()) => {}
            Err(Error::LinkCodeWrong { .. }) => {
                let wrong = wrong + 1;
                self.store
                    .write(|tx| set_meta(tx, META_LINK_WRONG, &wrong.to_string()))?;
                return Err(Error::LinkCodeWrong {
                    left: MAX_WRONG.saturating_sub(wrong),
                });
            }
            Err(e) => return Err(e),
        }
        self.store.write(|tx| {
            set_meta(tx, META_LINK_ID, "")?;
            set_meta(tx, META_LINK_WRONG, "0")
        })?;
        // The news the link brought; a sync that cannot run now runs later.
        let _ = self.sync(config, network, &NoObserver).await;
        let kpj = self.status_card().ok().and_then(|c| c.kpj);
        Ok(Linked {
            message: render("link.linked", self.lang(), &[]),
            kpj,
        })
    }
}

/// The message of a link refusal in `lang`, with the tries left for a wrong code.
pub fn link_error_message(e: &Error, lang: crate::base::lang::Lang) -> String {
    match e {
        Error::LinkCodeWrong { left } => format!(
            "{} {}",
            render(e.code(), lang, &[]),
            render("link.tries_left", lang, &[("left", left.to_string())])
        ),
        _ => render(e.code(), lang, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(n: &str, b: &str) -> LinkRequest {
        LinkRequest {
            nik_or_kpj: n.into(),
            birth_date: b.into(),
            channel: LinkChannel::Officer,
        }
    }

    #[test]
    fn the_digits_say_nik_or_kpj_and_bad_input_is_refused_before_sending() {
        let w = wire(&req("3515 1445 0868 0002", "05-08-1968")).unwrap();
        assert_eq!(w.nik.as_deref(), Some("3515144508680002"));
        assert_eq!((w.kpj, w.birth_date.as_str()), (None, "1968-08-05"));
        assert_eq!(w.channel, "officer");
        let w = wire(&req("12345678901", "1968-08-05")).unwrap();
        assert_eq!(w.kpj.as_deref(), Some("12345678901"));
        for (n, b) in [
            ("123", "05-08-1968"),
            ("12345678901", "32-13-1968"),
            ("", ""),
        ] {
            assert!(
                matches!(wire(&req(n, b)), Err(Error::LinkInvalid)),
                "{n} {b}"
            );
        }
    }

    #[test]
    fn refusals_have_messages_in_both_languages() {
        use crate::base::lang::Lang;
        for e in [
            Error::LinkCodeWrong { left: 3 },
            Error::LinkCodeExpired,
            Error::LinkCodeUsed,
            Error::LinkLocked,
            Error::LinkNotStarted,
            Error::LinkInvalid,
        ] {
            let (id, en) = (
                link_error_message(&e, Lang::Id),
                link_error_message(&e, Lang::En),
            );
            assert_ne!(id, en, "{}", e.code());
            assert_ne!(en, e.code());
        }
        assert!(link_error_message(&Error::LinkCodeWrong { left: 3 }, Lang::En).contains('3'));
    }
}
