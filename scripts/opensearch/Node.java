// One OpenSearch 2.19 node for development and CI, started from the Maven jars in a plain JVM.
//
// The distribution tarball is not on any registry this project may use; its jars are on Maven Central.
// The tarball's start-up (org.opensearch.bootstrap) would also run production bootstrap checks that
// fail on small machines (vm.max_map_count, open files); this launcher does not use that package, so
// `scripts/opensearch.sh` binds every node to 127.0.0.1 only. Point twinsearch at a real cluster in
// production.
//
// Usage: java -cp 'classes:lib/*' Node key=value ...   (node settings: node.name, path.home, http.port,
// transport.port, discovery.seed_hosts, cluster.initial_cluster_manager_nodes). SIGTERM closes the node.

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

public final class Node {

    /** Node's plugin-taking constructor is protected (the test framework's MockNode subclasses it too). */
    static final class WithPlugins extends org.opensearch.node.Node {
        WithPlugins(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder()
                .put("cluster.name", "twinsearch-dev")
                .put("network.host", "127.0.0.1")  // loopback only: there are no bootstrap checks here
                .put("cluster.routing.allocation.disk.threshold_enabled", false);  // CI disks run full
        for (String arg : args) {
            int at = arg.indexOf('=');
            if (at < 1) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            builder.put(arg.substring(0, at), arg.substring(at + 1));
        }
        Settings settings = builder.build();
        if (!"127.0.0.1".equals(settings.get("network.host"))) {
            throw new IllegalArgumentException("this launcher binds to 127.0.0.1 only");
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), null, () -> settings.get("node.name", "node"));
        org.opensearch.node.Node node = new WithPlugins(environment,
                List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            closed.countDown();
        }));
        node.start();
        System.out.println("started " + settings.get("node.name") + " pid " + ProcessHandle.current().pid());
        closed.await();  // the node's threads are daemons: keep the JVM alive until SIGTERM
    }
}
