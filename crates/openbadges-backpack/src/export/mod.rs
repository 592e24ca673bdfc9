//! Exports: pure functions over a [`Store`](crate::Store).
//!
//! - [`zip::export_zip`]: the deterministic backpack archive (layout in `docs/backpack.md`).
//! - [`html::portfolio_html`]: the static, escaped portfolio page inside it.
//! - [`api`]: Mozilla Displayer, Badge Connect 2.1 and OB 3.0 API response bodies, paged.
//! - [`vp::presentation`] / [`vp::signed_presentation`]: an OB 3.0 VerifiablePresentation of
//!   chosen credentials, unsigned or signed by the holder.
//! - [`clr::collection_clr`]: a CLR 2.0 `ClrCredential` of one collection, signed by an issuer.

pub mod api;
pub mod clr;
pub mod html;
pub mod vp;
pub mod zip;
