package io.inception4j.data;

import io.inception4j.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** evaluate --images: a folder per label, or a list of 'path label' lines. */
class LabelledImagesTest {
    static final List<String> LABELS = List.of("daisy", "tulip");

    @Test
    void aFolderPerLabelAndAListByNameOrIndex(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("set/tulip/more")).resolve("a.jpg"), b = dir.resolve("set/daisy/b.png");
        Files.createDirectories(b.getParent());
        Files.write(a, new byte[] {1});
        Files.write(b, new byte[] {1});
        Files.writeString(dir.resolve("set/daisy/notes.txt"), "not an image");
        assertEquals(List.of(new Sample(b, 0), new Sample(a, 1)), LabelledImages.read(dir.resolve("set"), LABELS));

        Path list = dir.resolve("list.txt");
        Files.writeString(list, "# held out\nset/tulip/more/a.jpg tulip\n\n" + b + "\t0\n");
        assertEquals(List.of(new Sample(dir.resolve("set/tulip/more/a.jpg"), 1), new Sample(b, 0)), LabelledImages.read(list, LABELS));
    }

    @Test
    void anUnknownLabelIsAnErrorNamingTheLine(@TempDir Path dir) throws Exception {
        Path list = dir.resolve("list.txt");
        Files.writeString(list, "x.jpg daisy\ny.jpg rose\n");
        var e = assertThrows(ConfigException.class, () -> LabelledImages.read(list, LABELS));
        assertEquals(list + ":2: 'rose' is not a label of the model nor an index below 2", e.getMessage());
        Files.createDirectories(dir.resolve("set/rose"));
        var f = assertThrows(ConfigException.class, () -> LabelledImages.read(dir.resolve("set"), LABELS));
        assertEquals(dir.resolve("set/rose") + ": 'rose' is not one of the model's labels [daisy, tulip]", f.getMessage());
    }
}
