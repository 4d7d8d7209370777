//! The maths behind the filter and activation pictures: slicing a conv kernel into per-channel
//! images, min-max normalization, colour mapping. The page only paints the bytes this returns.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::batch::image_tensor;
use crate::model::Cnn;

/// How values become brightness: each filter (or map) on its own scale, or one scale for the
/// whole layer (which shows which filters are strong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Normalization {
    PerFilter,
    PerLayer,
}

/// Equally sized 2-D slices of one layer, in order: `groups` groups (filters, or maps) of
/// `per_group` slices (input channels; 1 for maps) of `height x width` values.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceStack {
    pub groups: usize,
    pub per_group: usize,
    pub height: usize,
    pub width: usize,
    pub values: Vec<f32>,
}

impl SliceStack {
    /// A conv kernel `[filters, in_channels, kh, kw]` (row-major, as burn stores it): one group
    /// per filter, one slice per input channel.
    pub fn from_kernel(values: Vec<f32>, shape: [usize; 4]) -> Self {
        let [filters, channels, height, width] = shape;
        assert_eq!(
            values.len(),
            filters * channels * height * width,
            "kernel shape"
        );
        Self {
            groups: filters,
            per_group: channels,
            height,
            width,
            values,
        }
    }

    /// Feature maps `[channels, height, width]` of one image: one group per map.
    pub fn from_maps(values: Vec<f32>, shape: [usize; 3]) -> Self {
        let [channels, height, width] = shape;
        assert_eq!(values.len(), channels * height * width, "maps shape");
        Self {
            groups: channels,
            per_group: 1,
            height,
            width,
            values,
        }
    }

    fn slice_len(&self) -> usize {
        self.height * self.width
    }

    /// The values of slice `slice` of group `group`.
    pub fn slice(&self, group: usize, slice: usize) -> &[f32] {
        let start = (group * self.per_group + slice) * self.slice_len();
        &self.values[start..start + self.slice_len()]
    }

    /// Every value scaled to 0-255 by min-max over each group or over the whole layer.
    /// A group whose values are all equal (a dead ReLU map is all zeros) maps to the lowest level.
    pub fn normalized(&self, normalization: Normalization) -> Vec<u8> {
        let group_len = match normalization {
            Normalization::PerFilter => self.per_group * self.slice_len(),
            Normalization::PerLayer => self.values.len(),
        };
        self.values
            .chunks(group_len.max(1))
            .flat_map(|group| {
                let (min, max) = min_max(group);
                group.iter().map(move |&v| scale(v, min, max))
            })
            .collect()
    }

    /// The value range of group `group` (what its darkest and brightest pixels mean).
    pub fn group_range(&self, group: usize) -> (f32, f32) {
        let len = self.per_group * self.slice_len();
        min_max(&self.values[group * len..(group + 1) * len])
    }

    /// The value range of the whole layer.
    pub fn layer_range(&self) -> (f32, f32) {
        min_max(&self.values)
    }

    /// One group's slices tiled `columns` wide with a 1-pixel gap, from already normalized
    /// bytes: returns `(pixels, width, height)`; gaps are `None` so the painter can mark them.
    pub fn group_tile(
        &self,
        normalized: &[u8],
        group: usize,
        columns: usize,
    ) -> (Vec<Option<u8>>, usize, usize) {
        let columns = columns.clamp(1, self.per_group);
        let rows = self.per_group.div_ceil(columns);
        let tile_w = columns * (self.width + 1) - 1;
        let tile_h = rows * (self.height + 1) - 1;
        let mut pixels = vec![None; tile_w * tile_h];
        let len = self.slice_len();
        for slice in 0..self.per_group {
            let (col, row) = (slice % columns, slice / columns);
            let start = (group * self.per_group + slice) * len;
            for y in 0..self.height {
                for x in 0..self.width {
                    let at = (row * (self.height + 1) + y) * tile_w + col * (self.width + 1) + x;
                    pixels[at] = Some(normalized[start + y * self.width + x]);
                }
            }
        }
        (pixels, tile_w, tile_h)
    }
}

/// Reads conv layer `layer`'s kernel back from the device (asynchronously, as the browser
/// requires) as one group per filter.
pub async fn read_filters(model: &Cnn, layer: usize) -> Result<SliceStack, String> {
    let (kernel, _) = model
        .conv_parameters(layer)
        .ok_or_else(|| format!("the model has no conv layer {}", layer + 1))?;
    let shape = kernel.dims();
    let values = read(kernel.flatten(0, 3)).await?;
    Ok(SliceStack::from_kernel(values, shape))
}

/// Runs `input` (784 bytes, light garment on black) through the model and reads back every
/// conv layer's feature maps (after ReLU, before pooling), one stack per layer.
pub async fn read_activations(model: &Cnn, input: &[u8]) -> Result<Vec<SliceStack>, String> {
    use burn::module::Module;
    let device = model
        .devices()
        .into_iter()
        .next()
        .ok_or("the model has no device")?;
    let mut stacks = Vec::new();
    for maps in model.activations(image_tensor(input, &device)) {
        let [_, channels, height, width] = maps.dims();
        let values = read(maps.flatten(0, 3)).await?;
        stacks.push(SliceStack::from_maps(values, [channels, height, width]));
    }
    Ok(stacks)
}

async fn read(tensor: Tensor<1>) -> Result<Vec<f32>, String> {
    tensor
        .into_data_async()
        .await
        .map_err(|e| format!("the device failed: {e:?}"))?
        .try_to_vec::<f32>()
        .map_err(|e| format!("unexpected data: {e:?}"))
}

fn min_max(values: &[f32]) -> (f32, f32) {
    values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

fn scale(v: f32, min: f32, max: f32) -> u8 {
    if max - min <= f32::EPSILON {
        0
    } else {
        ((v - min) / (max - min) * 255.0).round().clamp(0.0, 255.0) as u8
    }
}

/// Viridis, a perceptually uniform scale readable with colour-blindness: RGBA for each level.
pub fn viridis_rgba(levels: &[Option<u8>]) -> Vec<u8> {
    levels
        .iter()
        .flat_map(|level| match level {
            Some(v) => {
                let c = colorous::VIRIDIS.eval_rational(usize::from(*v), 255);
                [c.r, c.g, c.b, 255]
            }
            None => [0, 0, 0, 0],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_filter_normalization_maps_a_known_filter_to_known_levels() {
        // Two 1-channel 2x2 filters; the first spans -1..3, the second is constant (no contrast).
        let stack =
            SliceStack::from_kernel(vec![-1.0, 0.0, 1.0, 3.0, 5.0, 5.0, 5.0, 5.0], [2, 1, 2, 2]);
        assert_eq!(
            stack.normalized(Normalization::PerFilter),
            vec![0, 64, 128, 255, 0, 0, 0, 0]
        );
        // One scale for the layer: -1..5.
        assert_eq!(
            stack.normalized(Normalization::PerLayer),
            vec![0, 43, 85, 170, 255, 255, 255, 255]
        );
        assert_eq!(stack.group_range(0), (-1.0, 3.0));
        assert_eq!(stack.layer_range(), (-1.0, 5.0));
    }

    #[test]
    fn kernel_slices_are_taken_per_filter_and_channel() {
        // [2 filters, 3 channels, 1, 2]: values count up.
        let stack = SliceStack::from_kernel((0..12).map(|v| v as f32).collect(), [2, 3, 1, 2]);
        assert_eq!(stack.slice(0, 0), &[0.0, 1.0]);
        assert_eq!(stack.slice(1, 2), &[10.0, 11.0]);
        let normalized = stack.normalized(Normalization::PerFilter);
        let (tile, w, h) = stack.group_tile(&normalized, 1, 2);
        // 3 slices of 1x2, 2 columns: 2 rows; 2*(2+1)-1 = 5 wide, 2*(1+1)-1 = 3 high.
        assert_eq!((w, h), (5, 3));
        assert_eq!(&tile[..5], &[Some(0), Some(51), None, Some(102), Some(153)]);
        assert_eq!(&tile[5..10], &[None; 5]);
        assert_eq!(&tile[10..], &[Some(204), Some(255), None, None, None]);
    }

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        let rgba = viridis_rgba(&[Some(0), Some(255), None]);
        assert_eq!(&rgba[..4], &[68, 1, 84, 255]);
        assert_eq!(&rgba[4..8], &[253, 231, 37, 255]);
        assert_eq!(rgba[11], 0);
    }
}
