package io.inception4j.config;

import io.inception4j.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Golden messages for the augmentation keys of issue 30 (data.augment): each bad value is named by file, line,
 * column and key, with what was expected.
 */
class AugmentConfigErrorsTest {

    static String error(String augment) {
        String yaml = "name: flowers\naugment:\n" + augment + "\n";
        var e = assertThrows(ConfigException.class, () -> Binder.bind(YamlDocument.parse("data.yaml", yaml), DataConfig.class));
        return e.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "  mixup_alpha: -0.2|data.yaml:3:3: augment.mixup_alpha: expected 0 (off) or a positive alpha of Beta(alpha, alpha), got -0.2",
            "  cutmix_alpha: -1.0|data.yaml:3:3: augment.cutmix_alpha: expected 0 (off) or a positive alpha of Beta(alpha, alpha), got -1.0",
            "  mix_prob: 1.5|data.yaml:3:3: augment.mix_prob: expected a probability from 0 to 1, got 1.5",
            "  switch_prob: -0.1|data.yaml:3:3: augment.switch_prob: expected a probability from 0 to 1, got -0.1",
            "  rand_augment: {n: -1, m: 9}|data.yaml:3:18: augment.rand_augment.n: expected 0 or more ops per image, got -1",
            "  rand_augment: {n: 2, m: 31}|data.yaml:3:24: augment.rand_augment.m: expected a magnitude bin from 0 to 30 (torchvision's 31 bins), got 31",
            "  rand_augment:\n    n: 2\n    ops: [rotate, shearx, color]|data.yaml:5:19: augment.rand_augment.ops[1]: unknown op 'shearx' (did you mean 'shear_x'?); valid ops: identity, shear_x, shear_y, translate_x, translate_y, rotate, brightness, color, contrast, sharpness, posterize, solarize, auto_contrast, equalize",
            "  rand_augment: {n: 2, m: 9}\n  trivial_augment: true|data.yaml:4:3: augment.trivial_augment: expected rand_augment or trivial_augment, not both (each is a whole policy: torchvision's RandAugment and TrivialAugmentWide)",
            "  random_erasing: {p: 2.0}|data.yaml:3:20: augment.random_erasing.p: expected a probability from 0 to 1, got 2.0",
            "  random_erasing: {p: 0.25, mode: pixels}|data.yaml:3:29: augment.random_erasing.mode: expected one of pixel, rand, const, got the text 'pixels'",
            "  random_erasing: {p: 0.25, area: [0.3, 0.1]}|data.yaml:3:29: augment.random_erasing.area: expected [min, max] with 0 < min <= max <= 1, got [0.3, 0.1]",
            "  mixup: 0.2|data.yaml:2:1: augment: unknown key 'mixup'; valid keys: aspect, color, crop_area, cutmix_alpha, flip, mix_prob, mixup_alpha, rand_augment, random_erasing, switch_prob, trivial_augment"})
    void aBadAugmentValueGetsItsGoldenMessage(String caseText) {
        String[] parts = caseText.split("\\|", 2);
        assertEquals(parts[1], error(parts[0]));
    }

    @Test
    void aBadOverrideNamesTheSet() {
        Cli r = Cli.run("train", "--print-config", "--set", "data.augment.rand_augment.m=31");
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("error: --set data.augment.rand_augment.m=31: augment.rand_augment.m: expected a magnitude bin from 0 to 30 (torchvision's 31 bins), got 31", r.err().strip());
    }

    @Test
    void everyKeyIsOffByDefault() {
        DataConfig.Augment a = Binder.bind(YamlDocument.parse("data.yaml", "name: t\n"), DataConfig.class).augment();
        assertEquals(new DataConfig.Augment(null, null, null, null), a);
        assertEquals(false, a.mixes());
        assertEquals(null, a.randAugment());
        assertEquals(null, a.randomErasing());
        assertEquals(false, a.trivialAugment());
    }
}
