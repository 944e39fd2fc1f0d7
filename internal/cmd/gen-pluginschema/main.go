// Command gen-pluginschema writes internal/pluginschema's definitions of the plugins that
// have no hand-written one, from Kong's plugin JSON schemas (Kong Gateway 3.15), and the
// provider's examples for them.
//
// It reads facts only: names, types, defaults, allowed values, ranges, lengths, required
// fields, secrets and vault references. Descriptions are written from those facts. The
// schemas live outside the repository (../shared/reference/gateway/plugins): where they are
// missing the command does nothing, so the committed files stay as they are.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

func main() {
	schemas := flag.String("schemas", "../shared/reference/gateway/plugins", "directory of Kong's plugin JSON schemas")
	out := flag.String("out", "internal/pluginschema", "directory of the generated definitions")
	examples := flag.String("examples", "examples/resources", "directory of the provider's resource examples")
	flag.Parse()
	if err := run(*schemas, *out, *examples); err != nil {
		fmt.Fprintln(os.Stderr, "gen-pluginschema:", err)
		os.Exit(1)
	}
}

func run(schemas, out, examples string) error {
	if _, err := os.Stat(schemas); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "gen-pluginschema: %s not found; the generated plugin definitions are left as they are\n", schemas)
		return nil
	}
	plugins, err := readAll(schemas)
	if err != nil {
		return err
	}
	written := map[string]bool{}
	for _, g := range plugins {
		src, err := emit(g.plugin, g.intEnums, g.file)
		if err != nil {
			return err
		}
		name := strings.ReplaceAll(g.plugin.Name, "-", "_") + ".gen.go"
		if err := os.WriteFile(filepath.Join(out, name), src, 0o644); err != nil {
			return err
		}
		written[name] = true
		if examples != "" && g.plugin.Name != "datakit" { // Datakit's resource is built apart
			if err := writeExample(examples, g.plugin); err != nil {
				return err
			}
		}
	}
	return removeStale(out, written)
}

type generated struct {
	file     string
	plugin   *pluginschema.Plugin
	intEnums map[*pluginschema.Field][]int64
}

// readAll converts every schema file, skipping the plugins Konnect does not offer, those
// with a hand-written definition, and files that repeat another one.
func readAll(dir string) ([]generated, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	seen := map[string][]byte{}
	var out []generated
	for _, file := range files {
		name := pluginName(strings.TrimSuffix(filepath.Base(file), ".json"))
		if _, skip := excluded[name]; skip {
			continue
		}
		if p, ok := pluginschema.Lookup(name); ok && !p.Generated {
			continue
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[name]; dup {
			if !bytes.Equal(prev, raw) {
				return nil, fmt.Errorf("%s: two different schemas for plugin %s", file, name)
			}
			continue
		}
		seen[name] = raw
		p, intEnums, err := convert(name, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, generated{file: filepath.Base(file), plugin: p, intEnums: intEnums})
	}
	return out, nil
}

// removeStale deletes generated definitions this run did not write (a plugin that became
// hand-written or left Konnect).
func removeStale(dir string, written map[string]bool) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.gen.go"))
	if err != nil {
		return err
	}
	for _, file := range files {
		if written[filepath.Base(file)] {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(b, []byte(header)) {
			if err := os.Remove(file); err != nil {
				return err
			}
		}
	}
	return nil
}
