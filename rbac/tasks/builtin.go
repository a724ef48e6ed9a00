package tasks

import (
	"strconv"
	"time"

	"golang.org/x/text/language"
)

// The built-in catalogs: English and Russian, every built-in operation of
// KindManual and KindFailed. Arguments: renew needs "months" (Int) and
// "until" (Date); KindFailed needs "attempts" (Int) and "error" (String).

type builtinLang struct {
	tag language.Tag
	tr  Translation
}

var ruMonthsGenitive = [12]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

func builtin() []builtinLang {
	const closeEN = " then close this task."
	en := Translation{
		Messages: map[Key]Message{
			{KindManual, OpOpen}: {
				Title: "Open service {service}",
				Body:  "Client {client} ordered {service} ({product_type}). Its processing module is manual: provision the service by hand," + closeEN,
			},
			{KindManual, OpModify}: {
				Title: "Modify service {service}",
				Body:  "Client {client} changed service {service} ({product_type}). Apply the changes by hand," + closeEN,
			},
			{KindManual, OpSuspend}: {
				Title: "Suspend service {service}",
				Body:  "Service {service} ({product_type}) of client {client} must be suspended. Suspend it by hand," + closeEN,
			},
			{KindManual, OpResume}: {
				Title: "Resume service {service}",
				Body:  "Service {service} ({product_type}) of client {client} must be resumed. Resume it by hand," + closeEN,
			},
			{KindManual, OpDelete}: {
				Title: "Delete service {service}",
				Body:  "Service {service} ({product_type}) of client {client} must be deleted. Delete it by hand," + closeEN,
			},
			{KindManual, OpRenew}: {
				Title: "Renew service {service} for {months, plural, one {# month} other {# months}}",
				Body:  "Client {client} paid for {months, plural, one {# more month} other {# more months}} of service {service} ({product_type}). Extend it by hand until {until}," + closeEN,
			},
			{Kind: KindFailed}: {
				Title: "Automatic {operation} of service {service} failed",
				Body:  "The {operation} of service {service} ({product_type}) of client {client} failed after {attempts, plural, one {# attempt} other {# attempts}}: {error}. Do it by hand or restart the operation," + closeEN,
			},
		},
		Operations: map[Operation]string{
			OpOpen: "opening", OpModify: "modification", OpSuspend: "suspension",
			OpResume: "resumption", OpDelete: "deletion", OpRenew: "renewal",
		},
		Date: func(t time.Time) string { return t.Format("January 2, 2006") },
	}
	const closeRU = " и закройте задачу."
	const monthsRU = "{months, plural, one {# месяц} few {# месяца} many {# месяцев} other {# месяца}}"
	ru := Translation{
		Messages: map[Key]Message{
			{KindManual, OpOpen}: {
				Title: "Открыть услугу {service}",
				Body:  "Клиент {client} заказал услугу {service} ({product_type}). Модуль обработки ручной: подключите услугу вручную" + closeRU,
			},
			{KindManual, OpModify}: {
				Title: "Изменить услугу {service}",
				Body:  "Клиент {client} изменил услугу {service} ({product_type}). Примените изменения вручную" + closeRU,
			},
			{KindManual, OpSuspend}: {
				Title: "Приостановить услугу {service}",
				Body:  "Услугу {service} ({product_type}) клиента {client} нужно приостановить. Приостановите её вручную" + closeRU,
			},
			{KindManual, OpResume}: {
				Title: "Возобновить услугу {service}",
				Body:  "Услугу {service} ({product_type}) клиента {client} нужно возобновить. Возобновите её вручную" + closeRU,
			},
			{KindManual, OpDelete}: {
				Title: "Удалить услугу {service}",
				Body:  "Услугу {service} ({product_type}) клиента {client} нужно удалить. Удалите её вручную" + closeRU,
			},
			{KindManual, OpRenew}: {
				Title: "Продлить услугу {service} на " + monthsRU,
				Body:  "Клиент {client} оплатил продление услуги {service} ({product_type}) на " + monthsRU + ". Продлите её вручную до {until}" + closeRU,
			},
			{Kind: KindFailed}: {
				Title: "Ошибка автоматической обработки услуги {service}: {operation}",
				Body:  "Операция «{operation}» для услуги {service} ({product_type}) клиента {client} не выполнена после {attempts, plural, one {# попытки} few {# попыток} many {# попыток} other {# попытки}}: {error}. Выполните её вручную или перезапустите операцию" + closeRU,
			},
		},
		Operations: map[Operation]string{
			OpOpen: "открытие", OpModify: "изменение", OpSuspend: "приостановка",
			OpResume: "возобновление", OpDelete: "удаление", OpRenew: "продление",
		},
		Date: func(t time.Time) string {
			return strconv.Itoa(t.Day()) + " " + ruMonthsGenitive[t.Month()-1] + " " + strconv.Itoa(t.Year()) + " г."
		},
	}
	return []builtinLang{{language.English, en}, {language.Russian, ru}}
}
