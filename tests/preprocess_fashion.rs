//! Preprocessing a Fashion-MNIST test image rendered as a shop photo (dark garment on white,
//! 10x larger) gives back an image close to the original.

use fashion_lab::data::idx::parse_images;
use fashion_lab::preprocess::preprocess_rgba;

/// Mean absolute pixel difference (0-255) per image, measured over the 32 fixture images:
/// 30 come back exactly (0.0), one at 0.3, and test image 17 at 35.3: its garment spans only
/// 23x27 pixels of its own frame, so scaling the longest side to 28 enlarges it. Bounds:
const MAX_MEAN_ABS_DIFF: f64 = 40.0;
const MAX_MEAN_OVER_IMAGES: f64 = 2.0;

#[test]
fn test_images_rendered_at_10x_dark_on_white_come_back_close_to_the_original() {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/idx/good-images-idx3-ubyte",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let images = parse_images(&bytes).unwrap();
    let mut diffs = Vec::new();
    for i in 0..images.count {
        let original = images.image(i);
        let side = 28 * 10;
        let rgba: Vec<u8> = (0..side * side)
            .flat_map(|p| {
                let (x, y) = (p % side / 10, p / side / 10);
                let v = 255 - original[y * 28 + x];
                [v, v, v, 255]
            })
            .collect();
        let input = preprocess_rgba(&rgba, side, side).unwrap();
        assert!(input.inverted);
        let diff = original
            .iter()
            .zip(&input.pixels)
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).abs())
            .sum::<f64>()
            / 784.0;
        diffs.push(diff);
    }
    let worst = diffs.iter().copied().fold(0.0, f64::max);
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    println!("mean absolute difference per image: mean {mean:.2}, worst {worst:.2}; {diffs:.1?}");
    assert!(worst <= MAX_MEAN_ABS_DIFF, "worst {worst}");
    assert!(mean <= MAX_MEAN_OVER_IMAGES, "mean {mean}");
    assert!(
        diffs.iter().filter(|&&d| d < 1.0).count() >= 30,
        "{diffs:?}"
    );
}
