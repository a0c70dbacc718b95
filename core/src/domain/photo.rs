//! How a phone shrinks a camera photo of a document before it is attached: the
//! longest side kept, the byte cap of one page and the JPEG qualities tried in turn.
//! The phone does the pixel work (Android's decoder and encoder); the numbers are
//! decided here, per kind of document, so every front-end shrinks alike.
//!
//! The numbers come from `scripts/photo-legibility.sh`: synthetic 12 MP camera photos
//! of a KTP and of a 10 pt contract page, shrunk by each candidate plan and read by
//! Tesseract (legible: the NIK exact, the name and birth date, or the employer, wage
//! and start date, within one character). Both read at 800 px on the long side and
//! break up at 640 px (KTP 5 of 6, page 1 of 6) and below. A card keeps 1,280 px and
//! a page 1,600 px: twice the breaking point, for what the synthetic photos lack
//! (glare, shake, a worse lens, the card further away, a family card's smaller print).

use serde::Serialize;

/// What a photo plan is for: the shape and print size of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoShape {
    /// A card or a passport's data page: large print on a small object.
    Card,
    /// A whole sheet (family card, contract): small print across an A4 page.
    Page,
}

/// How to shrink one camera photo: see the module's note for where the numbers come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoPlan {
    /// Longest side kept, in pixels.
    pub max_side: u32,
    /// Largest JPEG sent for one page, in bytes (the file cap of 5 MiB is far above).
    pub max_bytes: u32,
    /// JPEG qualities tried in order until the file fits `max_bytes`; the last one is
    /// kept even when it does not.
    pub qualities: Vec<u8>,
}

/// A picture's size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PixelSize {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl PhotoPlan {
    /// The plan for a document of `shape`.
    pub fn for_shape(shape: PhotoShape) -> PhotoPlan {
        match shape {
            // A KTP measured 135 KB (median; at most 141) at q80: the ladder rarely steps down.
            PhotoShape::Card => PhotoPlan {
                max_side: 1280,
                max_bytes: 150 * 1024,
                qualities: vec![80, 70, 60, 50, 40],
            },
            // A contract page measured 210 KB (median; at most 249) at 1,600 px, q80..50.
            PhotoShape::Page => PhotoPlan {
                max_side: 1600,
                max_bytes: 250 * 1024,
                qualities: vec![80, 70, 60, 50],
            },
        }
    }

    /// The power-of-two decoder subsampling that keeps the long side of a
    /// `width` × `height` photo at or above `max_side` (decoding less saves memory on
    /// a cheap phone; the exact size comes from [`PhotoPlan::target_size`]).
    pub fn sample_size(&self, width: u32, height: u32) -> u32 {
        let long_side = width.max(height);
        let mut sample = 1u32;
        while sample < 1 << 16 && long_side / (sample * 2) >= self.max_side {
            sample *= 2;
        }
        sample
    }

    /// The size a decoded `width` × `height` photo is scaled to: the long side brought
    /// down to `max_side`, the aspect kept, never enlarged, never below one pixel.
    pub fn target_size(&self, width: u32, height: u32) -> PixelSize {
        let long_side = width.max(height);
        if long_side <= self.max_side || long_side == 0 {
            return PixelSize { width, height };
        }
        // At most `max_side` (a u32) after the division: the cast cannot truncate.
        let scale = |v: u32| {
            ((u64::from(v) * u64::from(self.max_side)) / u64::from(long_side)).max(1) as u32
        };
        PixelSize {
            width: scale(width),
            height: scale(height),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn size(width: u32, height: u32) -> PixelSize {
        PixelSize { width, height }
    }

    #[test]
    fn a_twelve_megapixel_photo_is_decoded_at_half_and_scaled_to_the_long_side() {
        let card = PhotoPlan::for_shape(PhotoShape::Card);
        assert_eq!(card.sample_size(4000, 3000), 2);
        assert_eq!(card.target_size(2000, 1500), size(1280, 960));
        assert_eq!(card.sample_size(3000, 4000), 2, "upright the same");
        assert_eq!(card.target_size(1500, 2000), size(960, 1280));
        let page = PhotoPlan::for_shape(PhotoShape::Page);
        assert_eq!(page.sample_size(4000, 3000), 2);
        assert_eq!(page.target_size(2000, 1500), size(1600, 1200));
        assert_eq!(page.sample_size(6400, 4800), 4);
    }

    #[test]
    fn a_small_photo_is_kept_as_it_is() {
        let card = PhotoPlan::for_shape(PhotoShape::Card);
        assert_eq!(card.sample_size(800, 600), 1);
        assert_eq!(card.target_size(800, 600), size(800, 600));
        assert_eq!(card.target_size(0, 0), size(0, 0));
    }

    #[test]
    fn a_card_costs_less_than_a_page_and_the_ladder_goes_down() {
        let card = PhotoPlan::for_shape(PhotoShape::Card);
        let page = PhotoPlan::for_shape(PhotoShape::Page);
        assert!(card.max_bytes < page.max_bytes && card.max_side < page.max_side);
        for plan in [card, page] {
            assert!(plan.qualities.windows(2).all(|w| w[0] > w[1]));
            assert!(u64::from(plan.max_bytes) < crate::domain::document::MAX_FILE_BYTES);
        }
    }

    proptest! {
        #[test]
        fn subsampling_never_goes_below_the_long_side_and_scaling_keeps_the_aspect(
            w in 16u32..20_000, h in 16u32..20_000, page in any::<bool>()
        ) {
            let plan = PhotoPlan::for_shape(if page { PhotoShape::Page } else { PhotoShape::Card });
            let s = plan.sample_size(w, h);
            prop_assert!(s.is_power_of_two());
            let (dw, dh) = (w / s, h / s);
            prop_assert!(dw.max(dh) >= plan.max_side.min(w.max(h)));
            let PixelSize { width: tw, height: th } = plan.target_size(dw, dh);
            prop_assert_eq!(tw.max(th), dw.max(dh).min(plan.max_side));
            prop_assert!(tw >= 1 && th >= 1 && tw <= dw && th <= dh);
        }
    }
}
