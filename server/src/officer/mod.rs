//! The officers' side of the server: the admin routes (payments,
//! contributions, replies, rejections, the submission list, the import of
//! people registered elsewhere), their bodies, and
//! the blocking client that `rantau-server officer …` and tests use.

pub mod client;
pub mod routes;
pub mod wire;

pub use client::OfficerClient;
pub use wire::{
    ContributionRequest, ImportRefusal, ImportReport, ImportRequest, LinkCode, LinkCodeRequest,
    PaymentRequest, RejectRequest, ReplyRequest, RowError, SubmissionList, SubmissionSummary,
};
