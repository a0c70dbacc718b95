//! The officers' side of the server: the admin routes (payments,
//! contributions, replies, rejections, the submission list), their bodies, and
//! the blocking client that `rantau-server officer …` and tests use.

pub mod client;
pub mod routes;
pub mod wire;

pub use client::OfficerClient;
pub use wire::{
    ContributionRequest, PaymentRequest, RejectRequest, ReplyRequest, SubmissionList,
    SubmissionSummary,
};
