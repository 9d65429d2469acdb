package ecma2

import "strconv"

func strconvItoa(i int64) string { return strconv.FormatInt(i, 10) }
