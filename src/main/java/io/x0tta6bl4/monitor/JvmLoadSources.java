package io.x0tta6bl4.monitor;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link LoadSources} over the platform MXBeans: {@code com.sun.management.OperatingSystemMXBean}
 * for CPU and physical memory, the {@link MemoryMXBean} for the heap, and the {@link
 * GarbageCollectorMXBean}s for GC pauses.
 *
 * <p><b>Which GC beans are pauses.</b> A collector bean's {@code getCollectionTime()} is pause
 * time for some collectors and concurrent-cycle time for others, and only pauses stall request
 * threads. Observed on Temurin 25.0.3 (a small allocation loop plus {@code System.gc()}):
 *
 * <ul>
 *   <li>ZGC ({@code -XX:+UseZGC}, generational, the only ZGC since JDK 24): {@code "ZGC Minor
 *       Cycles"}, {@code "ZGC Minor Pauses"}, {@code "ZGC Major Cycles"}, {@code "ZGC Major
 *       Pauses"}. The Cycles beans time the concurrent collections (166 ms and 441 ms in that run);
 *       the Pauses beans time the stop-the-world pauses (575 pauses, 0 ms in total: each ZGC pause
 *       is well under a millisecond and the bean counts whole milliseconds, so under ZGC {@link
 *       LoadSample#gcPauseMillis()} is normally 0, which is the truth at this resolution).
 *       Non-generational ZGC, removed in JDK 24, named them {@code "ZGC Cycles"} and {@code "ZGC
 *       Pauses"}; the rule below covers both.
 *   <li>Shenandoah: {@code "Shenandoah Pauses"} and {@code "Shenandoah Cycles"}, the same split.
 *   <li>G1 (the default): {@code "G1 Young Generation"}, {@code "G1 Old Generation"} (full GCs)
 *       and {@code "G1 Concurrent GC"}, which despite its name times only the Remark and Cleanup
 *       pauses of the concurrent cycle (JDK-8297247, JDK 20). All three are pauses.
 *   <li>Serial ({@code "Copy"}, {@code "MarkSweepCompact"}) and Parallel ({@code "PS Scavenge"},
 *       {@code "PS MarkSweep"}): every collection is a pause.
 * </ul>
 *
 * <p>Hence the rule of {@link #pauseBeanNames}: when any bean's name contains {@code "Pauses"},
 * count exactly those beans; otherwise every bean is a pause collector, so count them all.
 */
final class JvmLoadSources implements LoadSources {
    private final com.sun.management.OperatingSystemMXBean os;
    private final MemoryMXBean memory;
    private final List<GarbageCollectorMXBean> pauseCollectors;

    JvmLoadSources() {
        OperatingSystemMXBean platform = ManagementFactory.getOperatingSystemMXBean();
        this.os = platform instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
        this.memory = ManagementFactory.getMemoryMXBean();
        List<GarbageCollectorMXBean> all = ManagementFactory.getGarbageCollectorMXBeans();
        List<String> names = pauseBeanNames(all.stream().map(GarbageCollectorMXBean::getName).toList());
        this.pauseCollectors = all.stream().filter(b -> names.contains(b.getName())).toList();
    }

    /** The names, among a JVM's collector bean names, whose collection time is pause time. */
    static List<String> pauseBeanNames(List<String> beanNames) {
        List<String> pauses = new ArrayList<>();
        for (String name : beanNames) {
            if (name.contains("Pauses")) {
                pauses.add(name);
            }
        }
        return pauses.isEmpty() ? List.copyOf(beanNames) : List.copyOf(pauses);
    }

    @Override
    public double processCpuLoad() {
        return os == null ? -1 : os.getProcessCpuLoad();
    }

    @Override
    public double systemCpuLoad() {
        return os == null ? -1 : os.getCpuLoad();
    }

    @Override
    public long heapUsedBytes() {
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Override
    public long heapMaxBytes() {
        return memory.getHeapMemoryUsage().getMax();
    }

    @Override
    public long memoryUsedBytes() {
        return os == null ? -1 : os.getTotalMemorySize() - os.getFreeMemorySize();
    }

    @Override
    public long memoryTotalBytes() {
        return os == null ? -1 : os.getTotalMemorySize();
    }

    /** A bean answers -1 when its collection time is undefined; such a bean adds nothing. */
    @Override
    public long gcPauseMillisTotal() {
        long total = 0;
        for (GarbageCollectorMXBean bean : pauseCollectors) {
            total += Math.max(0, bean.getCollectionTime());
        }
        return total;
    }
}
