package dev.pagewise.core.internal;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Hashtable;

/** Registers Pagewise's MXBeans in the platform MBean server, as {@code dev.pagewise:type=<type>,name=<name>}. */
public final class MBeans {

    /** The JMX domain of every Pagewise MXBean. */
    public static final String DOMAIN = "dev.pagewise";

    private MBeans() {
    }

    /**
     * Registers {@code bean} and returns its name.
     *
     * @throws IllegalStateException if a bean of that type and name is registered already
     */
    public static ObjectName register(Object bean, String type, String name) {
        ObjectName objectName = nameOf(type, name);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, objectName);
            return objectName;
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("an MBean named " + objectName + " is registered already; give this "
                    + type + " another name", e);
        } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
            throw new IllegalStateException("cannot register " + objectName, e);
        }
    }

    /** Unregisters {@code objectName}; one that is gone already is ignored. */
    public static void unregister(ObjectName objectName) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
        } catch (InstanceNotFoundException gone) {
            // unregistered by someone else, which JMX allows
        } catch (MBeanRegistrationException e) {
            throw new IllegalStateException("cannot unregister " + objectName, e);
        }
    }

    private static ObjectName nameOf(String type, String name) {
        Hashtable<String, String> keys = new Hashtable<>();
        keys.put("type", type);
        keys.put("name", ObjectName.quote(name));
        try {
            return new ObjectName(DOMAIN, keys);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("name cannot be part of a JMX name: \"" + name + "\"", e);
        }
    }
}
