// bench/peers/franz/main.go — the franz-go peer of `kwire bench compare`: produces N
// records of one payload to a topic, or consumes N records of a topic from the start of
// every partition (no group), with the settings it is given by franz-go option name, and
// prints one JSON line of what it measured:
//
//	kwire-franz produce -b BOOTSTRAP -t TOPIC -n N -payload FILE [Option=value ...]
//	kwire-franz consume -b BOOTSTRAP -t TOPIC -n N [Option=value ...]
//	-> {"records": N, "failed": F, "seconds": S[, "latency_ms": {"p50": ..., "max": ...}]}
//
// seconds: produce from the first send to the end of Flush; consume from the client's
// creation to the N-th record. Produce latency is each record's send -> acknowledgement,
// in microseconds, counted in a log-linear histogram (values within 0.1%); the payload is
// the file's bytes without a trailing newline. Bad arguments: a message and exit 2; a
// client that cannot be created or a consume that sees no record for 15 s: exit 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func die(code int, format string, a ...any) {
	fmt.Fprintf(os.Stderr, "kwire-franz: "+format+"\n", a...)
	os.Exit(code)
}

// histogram: values below 2048 us exactly, above that 1024 sub-buckets per power of two.
type histogram struct {
	counts []uint64
	n      uint64
	max    uint64
}

const subBits = 10

func bucketOf(v uint64) int {
	if v < 2<<subBits {
		return int(v)
	}
	e := bits.Len64(v) - (subBits + 1)
	return (e+1)<<subBits + int(v>>uint(e)) - (1 << subBits)
}

func lowestOf(i int) uint64 {
	if i < 2<<subBits {
		return uint64(i)
	}
	e := i>>subBits - 1
	m := uint64(i&(1<<subBits-1) + 1<<subBits)
	return m << uint(e)
}

func (h *histogram) record(v uint64) {
	i := bucketOf(v)
	if i >= len(h.counts) {
		n := make([]uint64, i+1024)
		copy(n, h.counts)
		h.counts = n
	}
	h.counts[i]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

// value at quantile q (0..1): the lowest value of the bucket holding the ceil(q*n)-th value
func (h *histogram) at(q float64) uint64 {
	want := uint64(q*float64(h.n) + 0.999999)
	if want == 0 {
		want = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= want {
			return lowestOf(i)
		}
	}
	return h.max
}

func duration(v string) time.Duration {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		die(2, "bad duration %q (milliseconds)", v)
	}
	return time.Duration(ms) * time.Millisecond
}

func integer(name, v string) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		die(2, "%s: bad number %q", name, v)
	}
	return n
}

// options: franz-go option names (as bench/peers.c maps Kafka's settings) to kgo options;
// MaxPollRecords is this program's, the count asked of each PollRecords.
func options(args []string, pollRecords *int) []kgo.Opt {
	var opts []kgo.Opt
	for _, a := range args {
		name, v, ok := strings.Cut(a, "=")
		if !ok {
			die(2, "expected Option=value, got %q", a)
		}
		switch name {
		case "ProducerLinger":
			opts = append(opts, kgo.ProducerLinger(duration(v)))
		case "ProducerBatchMaxBytes":
			opts = append(opts, kgo.ProducerBatchMaxBytes(int32(integer(name, v))))
		case "ProducerBatchCompression":
			var c kgo.CompressionCodec
			switch v {
			case "none":
				c = kgo.NoCompression()
			case "gzip":
				c = kgo.GzipCompression()
			case "snappy":
				c = kgo.SnappyCompression()
			case "lz4":
				c = kgo.Lz4Compression()
			case "zstd":
				c = kgo.ZstdCompression()
			default:
				die(2, "%s: unknown codec %q", name, v)
			}
			opts = append(opts, kgo.ProducerBatchCompression(c))
		case "RequiredAcks":
			switch v {
			case "all", "-1":
				opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
			case "1":
				opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
			case "0":
				opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
			default:
				die(2, "%s: expected all, -1, 1 or 0, got %q", name, v)
			}
		case "DisableIdempotentWrite":
			if v == "true" {
				opts = append(opts, kgo.DisableIdempotentWrite())
			}
		case "MaxProduceRequestsInflightPerBroker":
			opts = append(opts, kgo.MaxProduceRequestsInflightPerBroker(integer(name, v)))
		case "MaxBufferedBytes":
			opts = append(opts, kgo.MaxBufferedBytes(integer(name, v)))
		case "MaxBufferedRecords":
			opts = append(opts, kgo.MaxBufferedRecords(integer(name, v)))
		case "ProduceRequestTimeout":
			opts = append(opts, kgo.ProduceRequestTimeout(duration(v)))
		case "RecordDeliveryTimeout":
			opts = append(opts, kgo.RecordDeliveryTimeout(duration(v)))
		case "RecordRetries":
			opts = append(opts, kgo.RecordRetries(integer(name, v)))
		case "FetchMinBytes":
			opts = append(opts, kgo.FetchMinBytes(int32(integer(name, v))))
		case "FetchMaxBytes":
			opts = append(opts, kgo.FetchMaxBytes(int32(integer(name, v))))
		case "FetchMaxWait":
			opts = append(opts, kgo.FetchMaxWait(duration(v)))
		case "FetchMaxPartitionBytes":
			opts = append(opts, kgo.FetchMaxPartitionBytes(int32(integer(name, v))))
		case "FetchIsolationLevel":
			if v == "read_committed" {
				opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
			} else if v != "read_uncommitted" {
				die(2, "%s: expected read_committed or read_uncommitted, got %q", name, v)
			}
		case "ClientID":
			opts = append(opts, kgo.ClientID(v))
		case "MaxPollRecords":
			*pollRecords = integer(name, v)
		default:
			die(2, "unknown option %q", name)
		}
	}
	return opts
}

type result struct {
	Records int64              `json:"records"`
	Failed  int64              `json:"failed"`
	Seconds float64            `json:"seconds"`
	Latency map[string]float64 `json:"latency_ms,omitempty"`
	Error   string             `json:"error,omitempty"`
}

func produce(cl *kgo.Client, topic string, n int64, payload []byte) result {
	var (
		mu     sync.Mutex
		h      histogram
		failed int64
		first  error
	)
	h.counts = make([]uint64, 4<<subBits)
	ctx := context.Background()
	start := time.Now()
	for i := int64(0); i < n; i++ {
		sent := time.Now()
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: payload}, func(_ *kgo.Record, err error) {
			us := uint64(time.Since(sent) / time.Microsecond)
			mu.Lock()
			if err != nil {
				failed++
				if first == nil {
					first = err
				}
			} else {
				h.record(us)
			}
			mu.Unlock()
		})
	}
	if err := cl.Flush(ctx); err != nil {
		die(1, "flush: %v", err)
	}
	r := result{Records: n - failed, Failed: failed, Seconds: time.Since(start).Seconds()}
	if first != nil {
		r.Error = first.Error()
	}
	if h.n > 0 {
		r.Latency = map[string]float64{}
		for _, q := range []struct {
			k string
			v float64
		}{{"p50", 0.50}, {"p95", 0.95}, {"p99", 0.99}, {"p999", 0.999}, {"p9999", 0.9999}} {
			r.Latency[q.k] = float64(h.at(q.v)) / 1000
		}
		r.Latency["max"] = float64(h.max) / 1000
	}
	return r
}

func consume(cl *kgo.Client, n int64, pollRecords int, start time.Time) result {
	var got int64
	idle := time.Now()
	for got < n {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollRecords(ctx, pollRecords)
		cancel()
		fs.EachError(func(t string, p int32, err error) {
			if err != context.DeadlineExceeded {
				fmt.Fprintf(os.Stderr, "kwire-franz: fetch %s[%d]: %v\n", t, p, err)
			}
		})
		if k := int64(fs.NumRecords()); k > 0 {
			got += k
			idle = time.Now()
		} else if time.Since(idle) > 15*time.Second {
			break
		}
	}
	if got > n {
		got = n
	}
	return result{Records: got, Seconds: time.Since(start).Seconds()}
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "produce" && os.Args[1] != "consume") {
		die(2, "usage: kwire-franz produce|consume -b BOOTSTRAP -t TOPIC -n N [-payload FILE] [Option=value ...]")
	}
	mode := os.Args[1]
	var boot, topic, payloadFile string
	var n int64
	rest := []string{}
	args := os.Args[2:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && i+1 >= len(args) {
			die(2, "%s needs a value", a)
		}
		switch a {
		case "-b":
			i++
			boot = args[i]
		case "-t":
			i++
			topic = args[i]
		case "-n":
			i++
			v, err := strconv.ParseInt(args[i], 10, 64)
			if err != nil || v < 1 {
				die(2, "bad -n %q", args[i])
			}
			n = v
		case "-payload":
			i++
			payloadFile = args[i]
		default:
			if strings.HasPrefix(a, "-") {
				die(2, "unknown flag %s", a)
			}
			rest = append(rest, a)
		}
	}
	if boot == "" || topic == "" || n == 0 || (mode == "produce" && payloadFile == "") {
		die(2, "-b, -t, -n (and -payload to produce) are required")
	}
	pollRecords := 0
	opts := append([]kgo.Opt{kgo.SeedBrokers(strings.Split(boot, ",")...)}, options(rest, &pollRecords)...)
	var r result
	start := time.Now()
	if mode == "produce" {
		payload, err := os.ReadFile(payloadFile)
		if err != nil {
			die(2, "%v", err)
		}
		payload = []byte(strings.TrimRight(string(payload), "\n"))
		opts = append(opts, kgo.DefaultProduceTopic(topic))
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			die(1, "%v", err)
		}
		r = produce(cl, topic, n, payload)
		cl.Close()
	} else {
		opts = append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			die(1, "%v", err)
		}
		r = consume(cl, n, pollRecords, start)
		cl.Close()
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	if r.Records < n {
		os.Exit(1)
	}
}
