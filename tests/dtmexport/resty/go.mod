// A stand-in for github.com/go-resty/resty/v2: only the Response type dtmcli's TCC API names.
module github.com/go-resty/resty/v2

go 1.19
