package dev.pagewise.tests;

import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of the README is a whole source file: this test compiles each one as it stands, with
 * {@code -Xlint:all -Werror}, and runs its {@code main}. A snippet that needs anything not in it fails here.
 */
class ReadmeExampleTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)\n```", Pattern.DOTALL);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern CLASS = Pattern.compile("^public (?:final )?class (\\w+)", Pattern.MULTILINE);

    @Test
    void everyJavaBlockOfTheReadmeShouldCompileWithoutWarningsAndRun(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (String source : javaBlocks()) {
            Matcher pkg = PACKAGE.matcher(source);
            Matcher cls = CLASS.matcher(source);
            assertTrue(pkg.find() && cls.find(), "a README block is not a whole source file:\n" + source);
            String name = pkg.group(1) + "." + cls.group(1);
            Path file = dir.resolve("src").resolve(name.replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            outputs.put(name, compileAndRun(dir, file, name));
        }
        assertTrue(outputs.size() >= 2, "the README shows at least the quick start and the frame example: " + outputs.keySet());
        String quickStart = outputs.get("quickstart.QuickStart");
        assertTrue(quickStart.contains("stale segment: Already closed"), quickStart);
        assertTrue(quickStart.contains("request body: {\"order\": 1}"), quickStart);
        assertTrue(quickStart.contains("requests slot 0: cannot allocate 2.0 MiB"), quickStart);
    }

    private static List<String> javaBlocks() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1) + "\n");
        }
        return blocks;
    }

    /** The test's class path without the entries Maven lists but never made (javac's lint would flag them). */
    private static String existingClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Files.exists(Path.of(entry)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String compileAndRun(Path dir, Path file, String className) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "--release", "25", "-Xlint:all", "-Werror",
                "-cp", existingClassPath(), "-d", classes.toString(), file.toString());
        String messages = diagnostics.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, () -> className + " does not compile as the README shows it:\n" + messages);
        assertFalse(messages.contains("warning"), () -> className + ":\n" + messages);

        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass(className).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
