//! Bake Open Badges into PNG and SVG images and extract them again. (Being written.)
#![forbid(unsafe_code)]
