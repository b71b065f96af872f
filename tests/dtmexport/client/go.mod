// A stand-in for github.com/dtm-labs/client written by TxDesk: dtmcli's exported API for SAGA
// and TCC (the signatures the SDK has), doing what the SDK does on the wire, so the designer's
// Go export is compiled and run against that API in tests. Not dtm's code.
module github.com/dtm-labs/client

go 1.19

require github.com/go-resty/resty/v2 v2.7.0
replace github.com/go-resty/resty/v2 => ../resty
