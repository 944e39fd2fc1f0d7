package adminapi

import (
	"encoding/json"
	"net/url"
	"testing"
)

// Kong's form argument syntax, as curl --data sends it.
func TestFormFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body string
		want string
	}{
		{"name=x", `{"name":"x"}`},
		{"paths[]=/api&paths[]=/v2", `{"paths":["/api","/v2"]}`},
		{"paths=/a&paths=/b", `{"paths":["/a","/b"]}`},
		{"paths[2]=/b&paths[1]=/a", `{"paths":["/a","/b"]}`},
		{"service.id=abc", `{"service":{"id":"abc"}}`},
		{"config.key_names=apikey&config.hide_credentials=true", `{"config":{"hide_credentials":"true","key_names":"apikey"}}`},
		{"config.key_names[]=apikey", `{"config":{"key_names":["apikey"]}}`},
		{"headers[x-version][]=1", `{"headers":{"x-version":["1"]}}`},
		{"config.add.headers[]=a:1&config.add.headers[]=b:2", `{"config":{"add":{"headers":["a:1","b:2"]}}}`},
	}
	for _, c := range cases {
		v, err := url.ParseQuery(c.body)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(formFields(v))
		if string(got) != c.want {
			t.Errorf("%s: %s, want %s", c.body, got, c.want)
		}
	}
}
