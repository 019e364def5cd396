package dev.pagewise.tests;

import dev.pagewise.core.Allocator;
import dev.pagewise.os.OsMemory;
import org.junit.jupiter.api.Test;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two JPMS modules resolve on their own in a module layer, export what they declare, and work with
 * native access granted to exactly those two modules (as {@code --enable-native-access=dev.pagewise.core,dev.pagewise.os}).
 */
class ModulePathTest {

    @Test
    void modulesResolveAndWorkWithNativeAccessForThemAlone() throws Exception {
        Path core = Path.of(Allocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path os = Path.of(OsMemory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Configuration cf = ModuleLayer.boot().configuration()
                .resolve(ModuleFinder.of(core, os), ModuleFinder.of(), Set.of("dev.pagewise.os"));
        ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf, List.of(ModuleLayer.boot()),
                ClassLoader.getPlatformClassLoader());
        ModuleLayer layer = controller.layer();
        Module coreModule = layer.findModule("dev.pagewise.core").orElseThrow();
        Module osModule = layer.findModule("dev.pagewise.os").orElseThrow();
        assertTrue(!coreModule.isNativeAccessEnabled() && !osModule.isNativeAccessEnabled());
        controller.enableNativeAccess(coreModule).enableNativeAccess(osModule);
        assertTrue(coreModule.isNativeAccessEnabled() && osModule.isNativeAccessEnabled());

        ModuleDescriptor coreDescriptor = coreModule.getDescriptor();
        assertTrue(coreDescriptor.exports().stream().anyMatch(e -> e.source().equals("dev.pagewise.core") && !e.isQualified()));
        assertTrue(coreDescriptor.exports().stream().anyMatch(e -> e.source().equals("dev.pagewise.core.internal")
                && e.targets().equals(Set.of("dev.pagewise.os"))), "internal is exported to os only");
        assertTrue(osModule.getDescriptor().requires().stream()
                .anyMatch(r -> r.name().equals("com.sun.jna") && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)),
                "JNA is needed only on Windows");

        ClassLoader loader = layer.findLoader("dev.pagewise.os");
        Class<?> osMemory = loader.loadClass("dev.pagewise.os.OsMemory");
        Class<?> fixedRange = loader.loadClass("dev.pagewise.core.FixedRange");
        Class<?> bumpArena = loader.loadClass("dev.pagewise.core.BumpArena");
        assertEquals("dev.pagewise.os", osMemory.getModule().getName());
        assertEquals("dev.pagewise.core", bumpArena.getModule().getName());

        AutoCloseable range = (AutoCloseable) osMemory.getMethod("map", long.class).invoke(null, 1L << 20);
        try (java.lang.foreign.Arena arena = (java.lang.foreign.Arena) bumpArena.getMethod("over", fixedRange)
                .invoke(null, range)) {
            assertEquals("modules", arena.allocateFrom("modules").getString(0));
        }
        range.close();
    }
}
