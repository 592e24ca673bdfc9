//! The badge art: one vector drawing (`assets/badge.svg`, its letters drawn as paths, so it
//! looks the same everywhere without fonts), and the PNG every PNG form of the badge is baked
//! into, rasterised from it with resvg at [`BADGE_PNG_SIZE`] px square, once, on first use.

use std::sync::OnceLock;

/// The badge art (SVG). The SVG form of the badge is baked into it.
pub(crate) const BADGE_SVG: &[u8] = include_bytes!("../assets/badge.svg");

/// Width and height of the badge PNG, in pixels.
pub(crate) const BADGE_PNG_SIZE: u32 = 512;

/// Why the art could not be rasterised (the embedded SVG is fixed, so this is a build defect).
#[derive(Debug, Clone)]
pub(crate) struct ArtError(String);

impl std::fmt::Display for ArtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the badge art could not be rendered: {}", self.0)
    }
}

impl std::error::Error for ArtError {}

/// The badge PNG, rendered from [`BADGE_SVG`] on first use and kept.
pub(crate) fn badge_png() -> Result<&'static [u8], ArtError> {
    static PNG: OnceLock<Result<Vec<u8>, ArtError>> = OnceLock::new();
    PNG.get_or_init(|| render_png(BADGE_SVG, BADGE_PNG_SIZE))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// `svg` rasterised to a `size` × `size` PNG (scaled to fit, centred, transparent around).
fn render_png(svg: &[u8], size: u32) -> Result<Vec<u8>, ArtError> {
    let tree = resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default())
        .map_err(|e| ArtError(e.to_string()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size, size)
        .ok_or_else(|| ArtError(format!("no {size} × {size} canvas")))?;
    let drawn = tree.size();
    let side = f64::from(size);
    let scale = (side / f64::from(drawn.width())).min(side / f64::from(drawn.height()));
    #[allow(clippy::cast_possible_truncation)]
    let (scale, dx, dy) = (
        scale as f32,
        ((side - f64::from(drawn.width()) * scale) / 2.0) as f32,
        ((side - f64::from(drawn.height()) * scale) / 2.0) as f32,
    );
    let transform = resvg::tiny_skia::Transform::from_scale(scale, scale).post_translate(dx, dy);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| ArtError(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// The PNG is 512 × 512, drawn (not blank), and the same bytes on every call.
    #[test]
    fn the_badge_png_is_the_svg_art_at_512_px() {
        let png = badge_png().unwrap();
        let decoded = resvg::tiny_skia::Pixmap::decode_png(png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (512, 512));
        // The rosette's red at the top centre, the navy centre, transparency in a corner.
        let at = |x: u32, y: u32| decoded.pixel(x, y).unwrap().demultiply();
        let red = at(256, 45);
        assert_eq!((red.red(), red.green(), red.blue()), (0xc1, 0x27, 0x2d));
        let navy = at(256, 330);
        assert_eq!((navy.red(), navy.green(), navy.blue()), (0x1f, 0x2a, 0x44));
        assert_eq!(at(2, 2).alpha(), 0);
        assert!(std::ptr::eq(png, badge_png().unwrap()));
    }
}
