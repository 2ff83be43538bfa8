/*
 * tests/java/HlogCheck.java — HdrHistogram's own Java library as the independent reader
 * and writer of interval logs for tests/integ_hdr_java.sh (compiled there with javac
 * against HdrHistogram 2.2.2 from Maven Central).
 *
 *   java HlogCheck dump FILE...   every interval of every log read with HistogramLogReader
 *                                 and added up per tag; printed in the form
 *                                 tests/tool_hdrdump.c prints for kwire's reader
 *   java HlogCheck write FILE     a log written with HistogramLogWriter: tagged and
 *                                 untagged intervals of known values, for kwire to read
 */
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

public class HlogCheck {
    private static final double[] PERCENTILES = {50.0, 95.0, 99.0, 99.9, 99.99, 100.0};

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("dump")) {
            dump(args);
        } else if (args.length == 2 && args[0].equals("write")) {
            write(args[1]);
        } else {
            System.err.println("usage: HlogCheck dump FILE... | write FILE");
            System.exit(2);
        }
    }

    private static void dump(String[] args) throws Exception {
        Map<String, Histogram> byTag = new TreeMap<>();
        Map<String, Integer> intervals = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            HistogramLogReader reader = new HistogramLogReader(args[i]);
            EncodableHistogram e;
            while ((e = reader.nextIntervalHistogram()) != null) {
                Histogram h = (Histogram) e;
                String tag = h.getTag() == null ? "(untagged)" : h.getTag();
                Histogram sum = byTag.get(tag);
                if (sum == null) {
                    sum = new Histogram(h.getLowestDiscernibleValue(), h.getHighestTrackableValue(),
                                        h.getNumberOfSignificantValueDigits());
                    byTag.put(tag, sum);
                }
                sum.add(h);
                intervals.merge(tag, 1, Integer::sum);
            }
            reader.close();
        }
        PrintStream out = System.out;
        for (Map.Entry<String, Histogram> t : byTag.entrySet()) {
            Histogram h = t.getValue();
            StringBuilder line = new StringBuilder();
            line.append("tag ").append(t.getKey())
                .append(" intervals ").append(intervals.get(t.getKey()))
                .append(" layout ").append(h.getLowestDiscernibleValue()).append(' ')
                .append(h.getHighestTrackableValue()).append(' ').append(h.getNumberOfSignificantValueDigits())
                .append(" count ").append(h.getTotalCount())
                .append(" max ").append(h.getMaxValue())
                .append(" mean ").append(Long.toHexString(Double.doubleToLongBits(h.getMean())));
            for (double p : PERCENTILES) line.append(" p").append(p).append(' ').append(h.getValueAtPercentile(p));
            out.println(line);
            for (HistogramIterationValue v : h.recordedValues())
                out.println(t.getKey() + " " + v.getValueIteratedTo() + " " + v.getCountAtValueIteratedTo());
        }
        out.flush();
    }

    private static void write(String file) throws Exception {
        HistogramLogWriter w = new HistogramLogWriter(file);
        long start = 1763783731000L;
        w.outputLogFormatVersion();
        w.outputStartTime(start);
        w.setBaseTime(start);
        w.outputBaseTime(start);
        w.outputLegend();
        long x = 12345;
        for (int k = 0; k < 4; k++) {
            Histogram a = new Histogram(1, 3600000000L, 3), b = new Histogram(1, 3600000000L, 3);
            Histogram c = new Histogram(1000, 3600000000000L, 2); /* another layout, untagged */
            for (int i = 0; i < 5000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                long v = (x >>> 20) % 2000000;
                a.recordValue(v / (1 + (i % 7)));
                if (i % 3 == 0) b.recordValueWithCount(v % 5000 + 1, 1 + i % 4);
                c.recordValue(1000 + v * 1000);
            }
            a.setTag("alpha");
            b.setTag("beta");
            a.setStartTimeStamp(start + k * 1000L);
            a.setEndTimeStamp(start + k * 1000L + 1000L);
            b.setStartTimeStamp(start + k * 1000L);
            b.setEndTimeStamp(start + k * 1000L + 1000L);
            c.setStartTimeStamp(start + k * 1000L);
            c.setEndTimeStamp(start + k * 1000L + 1000L);
            w.outputIntervalHistogram(a);
            w.outputIntervalHistogram(b);
            w.outputIntervalHistogram(c);
        }
        w.close();
    }
}
