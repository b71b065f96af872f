// Package dtmcli stands in for dtm-labs/client/dtmcli in TxDesk's export tests: the same
// exported names and signatures for SAGA and TCC, sending the requests the SDK sends to a DTM
// server (here coordinator-lite's DTM API). Written by TxDesk from the SDK's documented API.
package dtmcli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"
)

// TransOptions are a transaction's options, in DTM's units (seconds).
type TransOptions struct {
	WaitResult     bool              `json:"wait_result,omitempty"`
	TimeoutToFail  int64             `json:"timeout_to_fail,omitempty"`
	RequestTimeout int64             `json:"request_timeout,omitempty"`
	RetryInterval  int64             `json:"retry_interval,omitempty"`
	BranchHeaders  map[string]string `json:"branch_headers,omitempty"`
	Concurrent     bool              `json:"concurrent"`
	RetryLimit     int64             `json:"retry_limit,omitempty"`
	RetryCount     int64             `json:"retry_count,omitempty"`
}

type transBase struct {
	Gid        string `json:"gid"`
	TransType  string `json:"trans_type"`
	Dtm        string `json:"-"`
	CustomData string `json:"custom_data,omitempty"`
	TransOptions
	Steps          []map[string]string `json:"steps,omitempty"`
	Payloads       []string            `json:"payloads,omitempty"`
	Protocol       string              `json:"protocol"`
	RollbackReason string              `json:"rollback_reason,omitempty"`
	subBranch      int
}

func call(server, op string, body interface{}) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(server+"/"+op, "application/json", bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(text), "FAILURE") {
		return errors.New(strings.TrimSpace(string(text)))
	}
	return nil
}

// MustGenGid asks the server for a new gid and panics when it cannot.
func MustGenGid(server string) string {
	resp, err := http.Get(server + "/newGid")
	if err != nil {
		panic(fmt.Sprintf("newGid error: %v", err))
	}
	defer resp.Body.Close()
	var res map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || res["gid"] == "" {
		panic(fmt.Sprintf("newGid error: %v, resp: %v", err, res))
	}
	return res["gid"]
}

// Saga is a SAGA under construction.
type Saga struct {
	transBase
	orders map[int][]int
}

// NewSaga starts a saga with gid on the server.
func NewSaga(server string, gid string) *Saga {
	return &Saga{transBase: transBase{Gid: gid, TransType: "saga", Dtm: server}, orders: map[int][]int{}}
}

// Add appends a step: its action, its compensation, and the body both are sent.
func (s *Saga) Add(action string, compensate string, postData interface{}) *Saga {
	s.Steps = append(s.Steps, map[string]string{"action": action, "compensate": compensate})
	data, err := json.Marshal(postData)
	if err != nil {
		panic(err)
	}
	s.Payloads = append(s.Payloads, string(data))
	return s
}

// AddBranchOrder makes step branch run after preBranches (concurrent sagas only).
func (s *Saga) AddBranchOrder(branch int, preBranches []int) *Saga {
	s.orders[branch] = preBranches
	return s
}

// SetConcurrent runs steps concurrently, ordered only by AddBranchOrder.
func (s *Saga) SetConcurrent() *Saga {
	s.Concurrent = true
	return s
}

// Submit hands the saga to the server.
func (s *Saga) Submit() error {
	if s.Concurrent {
		custom, _ := json.Marshal(map[string]interface{}{"orders": s.orders, "concurrent": true})
		s.CustomData = string(custom)
	}
	return call(s.Dtm, "submit", &s.transBase)
}

// Tcc is a TCC transaction in progress.
type Tcc struct {
	transBase
}

// TccGlobalFunc runs the business: the tries, through CallBranch.
type TccGlobalFunc func(tcc *Tcc) (*resty.Response, error)

// TccGlobalTransaction prepares, runs tccFunc, then submits, or aborts when it failed.
func TccGlobalTransaction(dtm string, gid string, tccFunc TccGlobalFunc) (rerr error) {
	tcc := &Tcc{transBase: transBase{Gid: gid, TransType: "tcc", Dtm: dtm}}
	if err := call(dtm, "prepare", &tcc.transBase); err != nil {
		return err
	}
	if _, rerr = tccFunc(tcc); rerr != nil {
		tcc.RollbackReason = rerr.Error()
		_ = call(dtm, "abort", &tcc.transBase)
		return rerr
	}
	return call(dtm, "submit", &tcc.transBase)
}

// CallBranch registers a branch's confirm and cancel, then calls its try.
func (t *Tcc) CallBranch(body interface{}, tryURL string, confirmURL string, cancelURL string) (*resty.Response, error) {
	t.subBranch++
	branchID := fmt.Sprintf("%02d", t.subBranch)
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	err = call(t.Dtm, "registerBranch", map[string]string{"data": string(data), "branch_id": branchID,
		"confirm": confirmURL, "cancel": cancelURL, "gid": t.Gid, "trans_type": "tcc"})
	if err != nil {
		return nil, err
	}
	q := url.Values{"gid": {t.Gid}, "trans_type": {"tcc"}, "branch_id": {branchID}, "op": {"try"}, "dtm": {t.Dtm}}
	sep := "?"
	if strings.Contains(tryURL, "?") {
		sep = "&"
	}
	resp, err := http.Post(tryURL+sep+q.Encode(), "application/json", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	r := &resty.Response{StatusCode: resp.StatusCode, Body: text}
	if resp.StatusCode == http.StatusConflict || strings.Contains(string(text), "FAILURE") {
		return r, errors.New(string(text) + " FAILURE")
	}
	if resp.StatusCode != http.StatusOK {
		return r, errors.New(string(text))
	}
	return r, nil
}
