use fashion_lab::data::split::{epoch_batches, split_70_15_15};

#[test]
fn split_of_70000_is_49000_10500_10500_and_covers_every_image_once() {
    let split = split_70_15_15(70_000, 42);
    assert_eq!(
        (split.train.len(), split.validation.len(), split.test.len()),
        (49_000, 10_500, 10_500)
    );
    let mut all = split.train_and_validation();
    all.extend(&split.test);
    all.sort_unstable();
    assert_eq!(all, (0..70_000).collect::<Vec<u32>>());
}

#[test]
fn same_seed_same_split_other_seed_other_split() {
    assert_eq!(split_70_15_15(70_000, 42), split_70_15_15(70_000, 42));
    let (a, b) = (split_70_15_15(70_000, 42), split_70_15_15(70_000, 7));
    assert_ne!(a.train, b.train);
    assert_ne!(a.test, b.test);
}

#[test]
fn split_is_shuffled_not_a_cut_of_the_file_order() {
    let split = split_70_15_15(70_000, 42);
    // Both official files feed every part: test-file images (>= 60,000) appear in training.
    let from_test_file = split.train.iter().filter(|&&i| i >= 60_000).count();
    assert!((6_000..8_000).contains(&from_test_file), "{from_test_file}");
}

#[test]
fn epochs_are_reshuffled_and_batched() {
    let indices: Vec<u32> = (0..1000).collect();
    let first = epoch_batches(&indices, 128, 42, 1);
    assert_eq!(first.len(), 8);
    assert_eq!(first.last().unwrap().len(), 1000 - 7 * 128);
    assert_ne!(first, epoch_batches(&indices, 128, 42, 2));
    assert_eq!(first, epoch_batches(&indices, 128, 42, 1));
}
