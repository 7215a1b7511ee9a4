package io.inception4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inception4j.Cli;
import io.inception4j.serve.TinyBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #30's evaluation protocol on two tiny trained runs (seeds 7 and 8) and a bundle of the first: --crops 1 is
 * today's evaluation, 10 and 144 crops, ensembles, and the errors.
 */
class MultiCropEvaluationTest {
    @TempDir
    static Path tmp;
    static Path run, otherSeed, bundle, copy;

    @BeforeAll
    static void trainTwoRunsAndExport() throws Exception {
        Path exp = TinyFlowers.setUp(tmp.resolve("setup"), 1);
        run = Trainer.start(TinyFlowers.load(exp), TinyFlowers.options(tmp.resolve("runs"), null, null)).run().dir();
        otherSeed = Trainer.start(TinyFlowers.load(exp, "train.seed=" + otherSeed(exp)), TinyFlowers.options(tmp.resolve("runs2"), null, null)).run().dir();
        bundle = tmp.resolve("tiny.bundle");
        Cli r = Cli.run("export", run.toString(), "-o", bundle.toString());
        assertEquals(0, r.exitCode(), r.err());
        copy = Files.copy(bundle, tmp.resolve("copy.bundle"));
    }

    /** The first seed after 7 whose test split shares some images with seed 7's, but not all (3 x 2 images of 30). */
    static long otherSeed(Path exp) {
        var data = TinyFlowers.load(exp).data().config();
        var index = io.inception4j.data.ImageIndex.of(data, tmp.resolve("setup/images"));
        Set<io.inception4j.data.Sample> seven = new HashSet<>(io.inception4j.data.Splits.of(index, data.split(), 7).test());
        for (long seed = 8; ; seed++) {
            Set<io.inception4j.data.Sample> shared = new HashSet<>(io.inception4j.data.Splits.of(index, data.split(), seed).test());
            shared.retainAll(seven);
            shared.removeIf(s -> s.file().endsWith("broken.jpg"));
            if (!shared.isEmpty() && shared.size() < seven.size() - 1) return seed;
        }
    }

    /** "test: top-1 50.00%, top-5 100.00% on 6 images" without what follows. */
    private static String numbers(String out) {
        Matcher m = Pattern.compile("top-1 [0-9.]+%, top-5 [0-9.]+% on \\d+ images").matcher(out);
        assertTrue(m.find(), out);
        return m.group();
    }

    @Test
    void cropsOneIsTodaysEvaluationExactly() throws Exception {
        for (Path target : List.of(run, bundle)) {
            Cli today = Cli.run("evaluate", target.toString(), "--out", tmp.resolve("today").toString());
            Cli one = Cli.run("evaluate", target.toString(), "--crops", "1", "--out", tmp.resolve("one").toString());
            assertEquals(0, one.exitCode(), one.err());
            assertEquals(today.out(), one.out());
            assertEquals(Files.readString(tmp.resolve("today/test-confusion.csv")), Files.readString(tmp.resolve("one/test-confusion.csv")));
        }
        // The multi-crop path at one crop (here through --images: the run's own test list) sees the same pixels.
        Cli today = Cli.run("evaluate", bundle.toString(), "--out", tmp.resolve("today").toString());
        Cli listed = Cli.run("evaluate", bundle.toString(), "--images", run.resolve("splits/test.txt").toString(),
                "--out", tmp.resolve("listed").toString());
        assertEquals(0, listed.exitCode(), listed.err());
        assertTrue(listed.out().startsWith("images: "), listed.out());
        assertEquals(numbers(today.out()), numbers(listed.out()));
        assertEquals(Files.readString(tmp.resolve("today/test-confusion.csv")), Files.readString(tmp.resolve("listed/images-confusion.csv")));
    }

    @Test
    void anEnsembleOfTwoIdenticalBundlesIsOneBundle() throws Exception {
        Cli one = Cli.run("evaluate", bundle.toString(), "--crops", "10", "--out", tmp.resolve("single10").toString());
        Cli two = Cli.run("evaluate", bundle.toString(), copy.toString(), "--crops", "10", "--out", tmp.resolve("pair10").toString());
        assertEquals(0, two.exitCode(), two.err());
        assertTrue(one.out().startsWith("test: " + numbers(one.out()) + " (10 crops)\n"), one.out());
        assertTrue(two.out().startsWith("test: " + numbers(one.out()) + " (10 crops, ensemble of 2)\n"), two.out());
        assertEquals(Files.readString(tmp.resolve("single10/test-10crops-confusion.csv")),
                Files.readString(tmp.resolve("pair10/test-10crops-ensemble-confusion.csv")));
        var json = new ObjectMapper().readTree(tmp.resolve("pair10/test-10crops-ensemble-metrics.json").toFile());
        assertEquals(10, json.get("crops").asInt());
        assertEquals(List.of(bundle.toString(), copy.toString()), List.of(json.get("members").get(0).asText(), json.get("members").get(1).asText()));
    }

    @Test
    void the144CropsOfARunAndOfItsBundleTogether() throws Exception {
        Cli r = Cli.run("evaluate", run.toString(), bundle.toString(), "--crops", "144", "--out", tmp.resolve("mixed").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s)test: top-1 [0-9.]+%, top-5 [0-9.]+% on \\d+ images \\(144 crops, ensemble of 2\\)\n.*"), r.out());
        assertEquals(numbers(Cli.run("evaluate", run.toString()).out()).replaceAll(".* on ", ""), numbers(r.out()).replaceAll(".* on ", ""),
                "the same test images");
        assertTrue(Files.exists(tmp.resolve("mixed/test-144crops-ensemble-confusion.png")));
        assertEquals(144, new ObjectMapper().readTree(tmp.resolve("mixed/test-144crops-ensemble-metrics.json").toFile()).get("crops").asInt());
    }

    @Test
    void runsTrainedOnDifferentSplitsAreEvaluatedOnTheImagesNoneTrainedOn() throws Exception {
        Set<String> common = new HashSet<>(names(run)), ofOther = new HashSet<>(names(otherSeed));
        common.retainAll(ofOther);
        common.removeIf(f -> f.endsWith("broken.jpg"));
        assertFalse(common.isEmpty(), "the seeds share test images: " + names(run) + " and " + ofOther);
        assertTrue(common.size() < names(run).size());
        Cli r = Cli.run("evaluate", run.toString(), otherSeed.toString(), "--out", tmp.resolve("seeds").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(" on " + common.size() + " images (1 crop, ensemble of 2)"), r.out() + " vs " + common);
    }

    private static List<String> names(Path runDir) throws Exception {
        return Files.readAllLines(runDir.resolve("splits/test.txt")).stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList();
    }

    @Test
    void anEnsembleWhoseLabelsDifferIsRefusedNamingTheModel() throws Exception {
        // The same three flowers in another order (the tiny bundle's, not sorted): refused.
        Path other = TinyBundle.write(tmp.resolve("other-order.bundle"));
        Cli r = Cli.run("evaluate", bundle.toString(), other.toString());
        assertEquals(2, r.exitCode());
        assertEquals("error: " + other + ": its labels [daffodil, snowdrop, lilyvalley] differ from those of " + bundle
                + " [daffodil, lilyvalley, snowdrop]; the models of an ensemble must have the same labels in the same order\n", r.err());
    }

    @Test
    void anyOtherCropCountIsOneLineAndExitCodeTwo() {
        Cli r = Cli.run("evaluate", bundle.toString(), "--crops", "5");
        assertEquals(2, r.exitCode());
        assertEquals("error: --crops 5: expected 1, 10 or 144\n", r.err());
    }
}
