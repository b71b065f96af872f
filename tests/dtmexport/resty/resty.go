// Package resty stands in for go-resty/resty/v2 in TxDesk's export tests: dtmcli's
// TccGlobalFunc returns a *resty.Response, nothing else is needed.
package resty

// Response is the answer of an HTTP call.
type Response struct {
	StatusCode int
	Body       []byte
}

// String is the body as text, as resty's Response.String.
func (r *Response) String() string { return string(r.Body) }
