package emulator_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// largeFile has services with a route and a plugin each, and consumers with a key each.
func largeFile(services, consumers int) []byte {
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := range services {
		fmt.Fprintf(&b, "- name: svc-%d\n  host: svc-%d.test\n  routes:\n  - name: route-%d\n    paths: [/svc-%d]\n  plugins:\n  - name: key-auth\n", i, i, i, i)
	}
	b.WriteString("consumers:\n")
	for i := range consumers {
		fmt.Fprintf(&b, "- username: user-%d\n  keyauth_credentials:\n  - key: key-%d\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkDeclarativeLoad replaces a configuration of 1,000 services (each with a route and a
// plugin) and 5,000 consumers (each with a key): 13,000 entities per load.
func BenchmarkDeclarativeLoad(b *testing.B) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = emu.Close() }()
	data := largeFile(1000, 5000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := emu.LoadDeclarativeConfig(emulator.DefaultControlPlaneName, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(13000*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
}
