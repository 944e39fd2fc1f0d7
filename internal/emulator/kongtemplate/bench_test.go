package kongtemplate

import "testing"

// BenchmarkRequest renders two templates in one session, as a request-transformer with two
// templated headers does per request.
func BenchmarkRequest(b *testing.B) {
	in := testInputs()
	first, second := Compile("Bearer $(headers.x_id)"), Compile("$(uri_captures.name)-$(query_params.page)")
	b.ReportAllocs()
	for b.Loop() {
		s := NewSession(in)
		if _, err := first.Render(s); err != nil {
			b.Fatal(err)
		}
		if _, err := second.Render(s); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
