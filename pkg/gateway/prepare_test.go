package gateway

import (
	"net/url"
	"strings"
	"testing"
)

func TestPreparePDFRefusesATIFFOnlyFaxAsADocumentProblem(t *testing.T) {
	d := Driver{Scheme: "vendor"}
	for _, c := range []struct {
		name string
		fax  Fax
		want Reason // "" = accepted
	}{
		{"pdf", Fax{To: "+12025550142", PDF: []byte("%PDF")}, ""},
		{"tiff only", Fax{To: "+12025550142", TIFF: []byte("II*\x00")}, ReasonDocument},
		{"nothing", Fax{To: "+12025550142"}, ReasonDocument},
		{"bad number first", Fax{To: "5550142", TIFF: []byte("II*\x00")}, ReasonInvalidNumber},
	} {
		to, err := PreparePDF(d, c.fax)
		ge, _ := AsError(err)
		switch {
		case c.want == "" && (err != nil || to != "+12025550142"):
			t.Errorf("%s: PreparePDF = %q, %v; want the number", c.name, to, err)
		case c.want != "" && (ge == nil || ge.Reason != c.want || ge.Driver != "vendor"):
			t.Errorf("%s: PreparePDF error %v; want a vendor %s error", c.name, err, c.want)
		}
	}
}

func TestNoStatusIsTheVendorsMalformedAnswer(t *testing.T) {
	e := NoStatus("vendor", "f-17")
	if e.Reason != ReasonGatewayError || e.Op != "status" || !strings.Contains(e.Error(), "f-17") || !e.Retryable() {
		t.Errorf("NoStatus = %+v (%v); want a retryable gateway-error on status naming the fax", e, e)
	}
}

func TestNoHostRefusesAHostAfterTheAt(t *testing.T) {
	d := Driver{Scheme: "vendor", Syntax: "vendor://KEY@"}
	for raw, wantErr := range map[string]bool{"vendor://KEY@": false, "vendor://KEY:S3CRET@api.vendor.example": true} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		err = NoHost(d, u)
		if (err != nil) != wantErr {
			t.Errorf("NoHost(%s) = %v; want error %v", raw, err, wantErr)
		}
		if err != nil && (!strings.Contains(err.Error(), "api.vendor.example") || strings.Contains(err.Error(), "S3CRET")) {
			t.Errorf("NoHost(%s) = %q; want the host named and no secret", raw, err)
		}
	}
}
