package tasks

import (
	"embed"
	"strconv"
	"time"

	"golang.org/x/text/language"
)

// The built-in catalogs: English and Russian, every built-in operation of
// KindManual and KindFailed, in messages/*.arb (ICU MessageFormat in ARB
// files, as translators' tools read them; see LoadFS). Arguments: renew
// needs "months" (Int) and "until" (Date); KindFailed needs "attempts"
// (Int) and "error" (String). Dates are formatted here, in Go.

//go:embed messages/*.arb
var builtinFiles embed.FS

var ruMonthsGenitive = [12]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// builtinDates are the built-in languages' date formats.
var builtinDates = map[language.Tag]DateFormat{
	language.English: func(t time.Time) string { return t.Format("January 2, 2006") },
	language.Russian: func(t time.Time) string {
		return strconv.Itoa(t.Day()) + " " + ruMonthsGenitive[t.Month()-1] + " " + strconv.Itoa(t.Year()) + " г."
	},
}

// addBuiltin loads the built-in catalogs into c.
func (c *Catalog) addBuiltin() error {
	if err := c.LoadFS(builtinFiles, "messages/*.arb"); err != nil {
		return err
	}
	for tag, date := range builtinDates {
		if err := c.Add(tag, Translation{Date: date}); err != nil {
			return err
		}
	}
	return nil
}
