package dev.pagewise.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.infra.Control;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every benchmark of the suite runs once, for every combination of its parameters, with its setup and tear
 * down, so that {@code ./mvnw verify} catches a benchmark that would fail in {@code scripts/bench}. It
 * measures nothing.
 */
class BenchSmokeTest {

    /** Every state class with benchmarks, as JMH's annotation processor listed them: none can be forgotten here. */
    private static List<Class<?>> states() throws ClassNotFoundException {
        Set<String> names = new TreeSet<>();
        OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        for (BenchmarkListEntry entry : BenchmarkList.defaultList().getAll(silent, List.of())) {
            names.add(entry.getUserClassQName());
        }
        List<Class<?>> states = new ArrayList<>();
        for (String name : names) {
            states.add(load(name));
        }
        return states;
    }

    /** Loads a class by JMH's name for it, which writes a nested class's name with a dot. */
    private static Class<?> load(String name) throws ClassNotFoundException {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                throw e;
            }
            return load(name.substring(0, dot) + '$' + name.substring(dot + 1));
        }
    }

    private final Blackhole blackhole = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void everyBenchmarkShouldRunOnceWithEveryParameterCombination() throws Exception {
        List<String> failures = new ArrayList<>();
        int runs = 0;
        List<Class<?>> stateClasses = states();
        assertTrue(stateClasses.contains(AllocateBench.class) && stateClasses.contains(ResetBench.Floors.class),
                stateClasses.toString());
        for (Class<?> state : stateClasses) {
            List<Field> params = new ArrayList<>();
            for (Class<?> c = state; c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Param.class)) {
                        f.setAccessible(true);
                        params.add(f);
                    }
                }
            }
            for (List<String> combination : combinations(params, 0)) {
                Object bench = state.getConstructor().newInstance();
                for (int i = 0; i < params.size(); i++) {
                    set(bench, params.get(i), combination.get(i));
                }
                try {
                    call(bench, Setup.class);
                    List<Method> benchmarks = new ArrayList<>();
                    for (Method m : state.getMethods()) {
                        if (m.isAnnotationPresent(Benchmark.class)) {
                            benchmarks.add(m);
                        }
                    }
                    if (benchmarks.stream().anyMatch(m -> m.isAnnotationPresent(Group.class))) {
                        // Name order, so that a group's "...Allocate" runs before its "...Free" on this one thread.
                        benchmarks.sort(Comparator.comparing(Method::getName));
                    }
                    Map<Class<?>, Object> states = new LinkedHashMap<>();
                    for (Method m : benchmarks) {
                        Object result = m.invoke(bench, arguments(m.getParameterTypes(), bench, states));
                        blackhole.consume(result);
                        runs++;
                    }
                    for (Object inner : states.values()) {
                        call(inner, TearDown.class);
                    }
                    call(bench, TearDown.class);
                } catch (InvocationTargetException e) {
                    failures.add(state.getSimpleName() + combination + ": " + e.getCause());
                }
            }
        }
        assertTrue(runs >= 80, "ran " + runs);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static List<List<String>> combinations(List<Field> params, int from) {
        if (from == params.size()) {
            List<List<String>> one = new ArrayList<>();
            one.add(new ArrayList<>());
            return one;
        }
        List<List<String>> out = new ArrayList<>();
        for (String value : params.get(from).getAnnotation(Param.class).value()) {
            for (List<String> rest : combinations(params, from + 1)) {
                rest.addFirst(value);
                out.add(rest);
            }
        }
        return out;
    }

    private static void set(Object bench, Field f, String value) throws IllegalAccessException {
        Class<?> type = f.getType();
        if (type == int.class) {
            f.setInt(bench, Integer.parseInt(value));
        } else if (type == long.class) {
            f.setLong(bench, Long.parseLong(value));
        } else {
            f.set(bench, value);
        }
    }

    /**
     * {@return the arguments of a benchmark: the blackhole, a control whose measurement is over (so that a
     * group's thread waiting for its partner gives up at once), or a nested state, set up once per run}
     */
    private Object[] arguments(Class<?>[] types, Object bench, Map<Class<?>, Object> states) throws Exception {
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            if (type == Blackhole.class) {
                args[i] = blackhole;
            } else if (type == Control.class) {
                Control control = new Control();
                control.stopMeasurement = true;
                args[i] = control;
            } else if (type.isInstance(bench)) {
                args[i] = bench;
            } else {
                Object inner = states.get(type);
                if (inner == null) {
                    inner = type.getConstructor().newInstance();
                    states.put(type, inner);
                    for (Method m : type.getMethods()) {
                        if (m.isAnnotationPresent(Setup.class)) {
                            m.invoke(inner, arguments(m.getParameterTypes(), bench, states));
                        }
                    }
                }
                args[i] = inner;
            }
        }
        return args;
    }

    /** Calls the {@code annotation} methods, Trial before Iteration before Invocation (reversed for tear down). */
    private static void call(Object bench, Class<? extends java.lang.annotation.Annotation> annotation) throws Exception {
        List<Method> methods = new ArrayList<>();
        for (Method m : bench.getClass().getMethods()) {
            if (m.isAnnotationPresent(annotation)) {
                methods.add(m);
            }
        }
        Comparator<Method> byLevel = Comparator.comparing(m -> level(m, annotation));
        methods.sort(annotation == Setup.class ? byLevel : byLevel.reversed());
        for (Method m : methods) {
            m.invoke(bench);
        }
    }

    private static Level level(Method m, Class<? extends java.lang.annotation.Annotation> annotation) {
        return annotation == Setup.class ? m.getAnnotation(Setup.class).value() : m.getAnnotation(TearDown.class).value();
    }
}
