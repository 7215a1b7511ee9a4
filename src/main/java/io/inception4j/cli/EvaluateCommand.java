package io.inception4j.cli;

import io.inception4j.train.EvalReport;
import io.inception4j.train.RunEvaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a run, a checkpoint or a bundle on its test split.",
                "Rebuilds the split the run was trained with (from its data config and seed) and reports top-1, "
                        + "top-5, per-class accuracy and the confusion matrix (CSV and PNG). A run directory means "
                        + "its best checkpoint.",
                "--crops 10 or 144 averages the softmax over the papers' crops of each image (144: the GoogLeNet "
                        + "paper's 4 scales x 3 squares x 6 crops x 2 mirrors, 144 times the compute).",
                "Several models are an ensemble: softmax averaged over them, on the images in the split of every "
                        + "one (different seeds: the images none of them trained on), or on --images."})
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "1..*", paramLabel = "RUN_DIR|CHECKPOINT|BUNDLE",
            description = "A run directory, a checkpoint .zip inside one, or a bundle from 'export'; several: an ensemble.")
    List<Path> targets;

    @Option(names = "--split", defaultValue = "test", description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--crops", defaultValue = "1", paramLabel = "1|10|144",
            description = "Crops per image, softmax averaged: 1 (centre), 10 (corners, centre, mirrors) or 144 "
                    + "(the GoogLeNet paper's) (default: ${DEFAULT-VALUE}).")
    int crops;

    @Option(names = "--images", paramLabel = "FOLDER|LIST",
            description = "Evaluate on these images instead of a split: a folder with a subfolder per label, or "
                    + "a file of 'path label' lines (a run's splits/test.txt).")
    Path images;

    @Mixin
    DataOption data;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the report files go (default: RUN_DIR/evaluation, or BUNDLE-evaluation beside a "
                    + "bundle; the first model's for an ensemble).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EvalReport r = RunEvaluation.evaluate(new RunEvaluation.Request(targets, split, data.dir, images, crops, out), System.getenv());
        spec.commandLine().getOut().print(r.table());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
