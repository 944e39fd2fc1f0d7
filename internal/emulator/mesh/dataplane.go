package mesh

import (
	"net"
	"strconv"

	"github.com/openkonnect/terraform-provider-konnect/client"
)

const (
	msgPortRange      = "port must be in the range from 1 to 65535"
	msgNeedsInbound   = "has to contain at least one inbound interface or gateway"
	msgTagMustExist   = "tag has to exist"
	msgInvalidAddress = "address has to be valid IP address"
)

func validateDataplane(body []byte) (Violations, error) {
	item, err := decode[client.DataplaneItem](body)
	if err != nil {
		return nil, err
	}
	var v Violations
	at := Path("networking")
	n := item.Networking
	if n == nil {
		v.add(at.String(), msgMustBeDefined)
		return v, nil
	}
	if deref(n.Address) == "" {
		v.add(at.Field("address").String(), msgCannotBeEmpty)
	}
	in := deref(n.Inbound)
	if len(in) == 0 {
		v.add(at.String(), msgNeedsInbound)
	}
	for i, ib := range in {
		iat := at.Field("inbound").Index(i)
		if ib.Port == nil || !validPort(*ib.Port) {
			v.add(iat.Field("port").String(), msgPortRange)
		}
		if ib.ServicePort != nil && !validPort(*ib.ServicePort) {
			v.add(iat.Field("servicePort").String(), msgPortRange)
		}
		for _, f := range []struct {
			name  string
			value *string
		}{{"address", ib.Address}, {"serviceAddress", ib.ServiceAddress}} {
			if f.value != nil && net.ParseIP(*f.value) == nil {
				v.add(iat.Field(f.name).String(), msgInvalidAddress)
			}
		}
		if _, ok := deref(ib.Tags)[ServiceTag]; !ok {
			v.add(iat.Field("tags").Key(ServiceTag).String(), msgTagMustExist)
		}
	}
	for i, ob := range deref(n.Outbound) {
		if ob.Port != nil && !validPort(*ob.Port) {
			v.add(at.Field("outbound").Index(i).Field("port").String(), msgPortRange)
		}
	}
	return v, nil
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

func itoa(i int) string { return strconv.Itoa(i) }
