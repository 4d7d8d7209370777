//! The convolutional networks of the study: conv blocks, an optional hidden dense layer, and a
//! 10-way output. One configurable network covers every model the study trains.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Initializer, Linear, LinearConfig,
    PaddingConfig2d, Relu,
};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::idx::{IMAGE_SIDE, NUM_CLASSES};

/// The shape of a network. Every conv layer has 3x3 kernels with same padding and is followed
/// by (when `batch_norm`) batch normalization, ReLU, a 2x2 max-pool and (when `dropout > 0`)
/// dropout. Fields added after format version 1 default so that older model files still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CnnConfig {
    /// The stride of each conv layer; its length is the number of conv layers.
    pub conv_strides: Vec<usize>,
    pub filters: usize,
    /// Filters of each conv layer when they differ; empty means `filters` for every layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub widths: Vec<usize>,
    /// Batch normalization between every conv layer and its ReLU.
    #[serde(default)]
    pub batch_norm: bool,
    /// Units of the hidden dense ReLU layer before the output, if any.
    pub hidden_units: Option<usize>,
    /// Coefficient of the L2 penalty on the hidden dense layer's kernel (Keras `l2(..)`).
    pub hidden_l2: f64,
    /// Dropout probability after every pool.
    pub dropout: f64,
    /// Dropout probability after the hidden dense layer.
    #[serde(default)]
    pub hidden_dropout: f64,
}

impl Default for CnnConfig {
    /// The study's 1-conv base: conv(1->32) pool, flatten, dense 10. 63,050 parameters.
    fn default() -> Self {
        Self {
            conv_strides: vec![1],
            filters: 32,
            widths: Vec::new(),
            batch_norm: false,
            hidden_units: None,
            hidden_l2: 0.0,
            dropout: 0.0,
            hidden_dropout: 0.0,
        }
    }
}

impl CnnConfig {
    /// The original study's best model ("model 4"): one conv layer, a dense 100 ReLU layer
    /// with L2 1e-5 on its kernel, and the output layer. 628,630 parameters.
    pub fn model4() -> Self {
        Self {
            hidden_units: Some(100),
            hidden_l2: 1e-5,
            ..Self::default()
        }
    }

    /// The original study's representation model: four conv layers (stride 1, each followed by
    /// a 2x2 max-pool: 28 -> 14 -> 7 -> 3 -> 1), then model 4's dense 100 ReLU with L2 1e-5, and
    /// the output layer. 32,374 parameters.
    pub fn representation() -> Self {
        Self {
            conv_strides: vec![1, 1, 1, 1],
            ..Self::model4()
        }
    }

    /// Checks that the shape is one this app can build (a model file's description is input).
    pub fn validate(&self) -> Result<(), String> {
        if self.conv_strides.is_empty() || self.conv_strides.len() > 6 {
            return Err(format!(
                "{} conv layers; 1 to 6 are supported",
                self.conv_strides.len()
            ));
        }
        if self.conv_strides.iter().any(|s| !(1..=3).contains(s)) {
            return Err(format!(
                "conv strides {:?}; 1 to 3 are supported",
                self.conv_strides
            ));
        }
        if !(1..=256).contains(&self.filters) || self.widths.iter().any(|w| !(1..=256).contains(w))
        {
            return Err("conv layers must have 1 to 256 filters".into());
        }
        if !self.widths.is_empty() && self.widths.len() != self.conv_strides.len() {
            return Err(format!(
                "{} widths for {} conv layers",
                self.widths.len(),
                self.conv_strides.len()
            ));
        }
        if self.hidden_units.is_some_and(|u| !(1..=4096).contains(&u)) {
            return Err("the hidden layer must have 1 to 4096 units".into());
        }
        if !(0.0..1.0).contains(&self.dropout)
            || !(0.0..1.0).contains(&self.hidden_dropout)
            || !(0.0..=1.0).contains(&self.hidden_l2)
        {
            return Err("dropout must be in [0, 1) and the L2 coefficient in [0, 1]".into());
        }
        if self.final_side() == 0 {
            return Err("the layers shrink the image to nothing".into());
        }
        Ok(())
    }

    /// Side of the feature maps that reach the flatten layer.
    pub fn final_side(&self) -> usize {
        self.conv_strides
            .iter()
            .fold(IMAGE_SIDE, |side, &stride| side.div_ceil(stride) / 2)
    }

    /// Filters of conv layer `layer`.
    pub fn width(&self, layer: usize) -> usize {
        self.widths.get(layer).copied().unwrap_or(self.filters)
    }

    /// Number of inputs of the first dense layer.
    pub fn flat_features(&self) -> usize {
        self.width(self.conv_strides.len().saturating_sub(1)) * self.final_side().pow(2)
    }

    /// Number of trainable parameters (what Keras' `count_params` reports for the same layers,
    /// less batch normalization's running statistics), without building the model.
    pub fn parameter_count(&self) -> usize {
        let mut inputs = 1;
        let mut count = 0;
        for layer in 0..self.conv_strides.len() {
            let width = self.width(layer);
            count += inputs * width * 9 + width;
            if self.batch_norm {
                // Scale and shift, and the running mean and variance (Keras' "total params"
                // counts them too, as burn's `num_params` does).
                count += 4 * width;
            }
            inputs = width;
        }
        let mut features = self.flat_features();
        if let Some(units) = self.hidden_units {
            count += features * units + units;
            features = units;
        }
        count + features * NUM_CLASSES + NUM_CLASSES
    }

    pub fn init(&self, device: &Device) -> Cnn {
        let mut in_channels = 1;
        let convs = self
            .conv_strides
            .iter()
            .enumerate()
            .map(|(layer, &stride)| {
                let mut conv = Conv2dConfig::new([in_channels, self.width(layer)], [3, 3])
                    .with_stride([stride, stride])
                    .with_padding(PaddingConfig2d::Same)
                    .with_initializer(KERAS_KERNELS)
                    .init(device);
                conv.bias = Some(zero_bias(self.width(layer), device));
                in_channels = self.width(layer);
                conv
            })
            .collect();
        let norms = if self.batch_norm {
            (0..self.conv_strides.len())
                .map(|layer| BatchNormConfig::new(self.width(layer)).init(device))
                .collect()
        } else {
            Vec::new()
        };
        let dense = |inputs: usize, units: usize| {
            let mut linear = LinearConfig::new(inputs, units)
                .with_initializer(KERAS_KERNELS)
                .init(device);
            linear.bias = Some(zero_bias(units, device));
            linear
        };
        let hidden = self
            .hidden_units
            .map(|units| dense(self.flat_features(), units));
        let output_inputs = self.hidden_units.unwrap_or(self.flat_features());
        Cnn {
            convs,
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
            norms,
            hidden,
            hidden_dropout: DropoutConfig::new(self.hidden_dropout).init(),
            output: dense(output_inputs, NUM_CLASSES),
            activation: Relu::new(),
        }
    }
}

/// Keras' default kernel initializer (`glorot_uniform`), as in the original study; burn's own
/// default (PyTorch's) starts these ReLU stacks with much weaker signals.
const KERAS_KERNELS: Initializer = Initializer::XavierUniform { gain: 1.0 };

/// Keras' default bias: zeros.
fn zero_bias(size: usize, device: &Device) -> Param<Tensor<1>> {
    Initializer::Zeros.init([size], device)
}

#[derive(Module, Debug)]
pub struct Cnn {
    convs: Vec<Conv2d>,
    pool: MaxPool2d,
    dropout: Dropout,
    /// One per conv layer with batch normalization, else empty.
    norms: Vec<BatchNorm>,
    hidden: Option<Linear>,
    hidden_dropout: Dropout,
    output: Linear,
    activation: Relu,
}

impl Cnn {
    /// Class scores (logits) for `images` `[batch, 1, 28, 28]` in `[0, 1]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let mut x = images; // [batch, 1, 28, 28]
        for layer in 0..self.convs.len() {
            x = self.pool.forward(self.conv_block(layer, x)); // [batch, filters, side / 2, ..]
            x = self.dropout.forward(x);
        }
        let mut x: Tensor<2> = x.flatten(1, 3); // [batch, filters * side * side]
        if let Some(hidden) = &self.hidden {
            x = self.activation.forward(hidden.forward(x)); // [batch, 100]
            x = self.hidden_dropout.forward(x);
        }
        self.output.forward(x) // [batch, 10]
    }

    /// The feature maps of every conv layer, after ReLU and before pooling:
    /// `[batch, filters, side, side]` per layer (dropout is never applied here).
    pub fn activations(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        let mut maps = Vec::with_capacity(self.convs.len());
        let mut x = images;
        for layer in 0..self.convs.len() {
            let activated = self.conv_block(layer, x); // [batch, filters, side, side]
            maps.push(activated.clone());
            x = self.pool.forward(activated);
        }
        maps
    }

    /// Conv layer `layer`, its batch normalization if any, and ReLU.
    fn conv_block(&self, layer: usize, x: Tensor<4>) -> Tensor<4> {
        let mut x = self.convs[layer].forward(x); // [batch, filters, side / stride, ..]
        if let Some(norm) = self.norms.get(layer) {
            x = norm.forward(x);
        }
        self.activation.forward(x)
    }

    /// Number of conv layers.
    pub fn conv_layers(&self) -> usize {
        self.convs.len()
    }

    /// Kernel `[filters, in_channels, 3, 3]` and bias `[filters]` of conv layer `layer`.
    pub fn conv_parameters(&self, layer: usize) -> Option<(Tensor<4>, Option<Tensor<1>>)> {
        let conv = self.convs.get(layer)?;
        Some((conv.weight.val(), conv.bias.as_ref().map(|b| b.val())))
    }

    /// Class probabilities for `images`.
    pub fn probabilities(&self, images: Tensor<4>) -> Tensor<2> {
        burn::tensor::activation::softmax(self.forward(images), 1)
    }

    /// The hidden dense layer's kernel `[inputs, units]`, if there is one.
    pub fn hidden_kernel(&self) -> Option<Tensor<2>> {
        self.hidden.as_ref().map(|hidden| hidden.weight.val())
    }

    /// Sum of the squared weights of the hidden dense kernel (0 without a hidden layer); the
    /// training loss adds it times [`CnnConfig::hidden_l2`], as Keras' `l2` regularizer does.
    pub fn hidden_kernel_square_sum(&self) -> Option<Tensor<1>> {
        self.hidden
            .as_ref()
            .map(|hidden| hidden.weight.val().powi_scalar(2).sum())
    }
}
