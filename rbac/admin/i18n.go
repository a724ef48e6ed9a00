package admin

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// The UI speaks the languages of uiLanguages; a cookie set by /lang/{tag}
// overrides the browser's Accept-Language.
var (
	uiLanguages = []language.Tag{language.English, language.Russian}
	uiMatcher   = language.NewMatcher(uiLanguages)
)

const langCookie = "billingrbac_admin_lang"

// uiLanguage picks the language of a page.
func uiLanguage(r *http.Request) language.Tag {
	var prefs []language.Tag
	if c, err := r.Cookie(langCookie); err == nil {
		if t, err := language.Parse(c.Value); err == nil {
			prefs = append(prefs, t)
		}
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		prefs = append(prefs, tags...)
	}
	_, i, _ := uiMatcher.Match(prefs...)
	return uiLanguages[i]
}

// switchLanguage sets the language cookie and goes back to the page given
// (a path of this Handler only: no open redirect).
func (h *Handler) switchLanguage(w http.ResponseWriter, r *http.Request) {
	tag, err := language.Parse(r.PathValue("tag"))
	if err == nil {
		_, i, conf := uiMatcher.Match(tag)
		if conf == language.No {
			err = errUnknownLanguage
		}
		tag = uiLanguages[i]
	}
	if err != nil {
		http.Error(w, "unknown language", http.StatusNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: tag.String(), Path: h.base(r) + "/",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/departments"
	}
	http.Redirect(w, r, h.base(r)+back, http.StatusSeeOther)
}

type langError string

func (e langError) Error() string { return string(e) }

const errUnknownLanguage = langError("unknown language")

// texts holds the UI's messages by language and key.
var texts = map[string]map[string]string{
	"en": {
		"title": "Access control", "departments": "Departments", "staff": "Staff", "log": "Action log",
		"signed_in_as": "Signed in as", "language": "Language",
		"name": "Name", "status": "Status", "active": "active", "disabled": "disabled",
		"members": "Members", "permissions": "Permissions", "actions": "Actions",
		"add_department": "Add department", "edit_department": "Edit department", "new_department": "New department",
		"accepts_requests": "Clients may send requests", "task_language": "Task language", "sort_order": "Sort order",
		"hours": "Business hours", "target": "Response target (minutes, 0: none)", "save": "Save", "delete": "Delete",
		"enable": "Enable", "disable": "Disable", "yes": "yes", "no": "no", "edit": "Edit", "back": "Back",
		"review": "Review changes", "confirm_save": "Save these changes", "adds": "Adds", "removes": "Removes",
		"no_changes": "No changes.", "gains": "gain", "loses": "lose", "people": "staff members",
		"dry_run_note": "Nothing is saved until you confirm.", "effect_gives": "Gives", "effect_takes": "Takes away", "members_affected": "Members of this department",
		"add_staff": "Add staff member", "edit_staff": "Edit staff member", "new_staff": "New staff member",
		"login": "Login", "full_name": "Full name", "email": "E-mail", "phone": "Phone", "full_access": "Full access",
		"password": "Password", "password_generate": "Generate a password", "password_reset": "Reset password",
		"password_once": "The new password, shown this once:", "avatar": "Avatar", "upload": "Upload",
		"search": "Search", "first_page": "First page", "previous": "Previous", "next": "Next", "page": "Page", "rights": "Rights",
		"inherited": "from", "direct": "direct grant", "full_access_note": "Full access: every permission, including functions added later.",
		"rights_note": "Permissions from departments are shown and cannot be changed here; direct grants can.",
		"when":        "When", "who": "Who", "operation": "Operation", "target_col": "Target", "reason": "Reason",
		"change": "Change", "since": "Since", "until": "Until", "filter": "Filter", "all": "all",
		"denied": "Not permitted", "denied_missing": "You need the permission", "invalid": "Please correct the form",
		"not_found": "Not found", "error": "Something went wrong", "conflict": "Conflict",
		"unauthenticated": "Please sign in", "saved": "Saved.", "none": "none", "version": "Version",
		"confirm_delete": "Delete this department? Its members lose what only it gave them.",
	},
	"ru": {
		"title": "Управление доступом", "departments": "Отделы", "staff": "Сотрудники", "log": "Журнал действий",
		"signed_in_as": "Вы вошли как", "language": "Язык",
		"name": "Название", "status": "Состояние", "active": "включён", "disabled": "выключен",
		"members": "Сотрудники", "permissions": "Права", "actions": "Действия",
		"add_department": "Добавить отдел", "edit_department": "Изменить отдел", "new_department": "Новый отдел",
		"accepts_requests": "Клиенты могут отправлять запросы", "task_language": "Язык заданий", "sort_order": "Порядок",
		"hours": "Рабочее время", "target": "Срок ответа (минуты, 0 — нет)", "save": "Сохранить", "delete": "Удалить",
		"enable": "Включить", "disable": "Выключить", "yes": "да", "no": "нет", "edit": "Изменить", "back": "Назад",
		"review": "Проверить изменения", "confirm_save": "Сохранить эти изменения", "adds": "Добавляет", "removes": "Убирает",
		"no_changes": "Изменений нет.", "gains": "получат", "loses": "потеряют", "people": "сотрудников",
		"dry_run_note": "Ничего не сохранено, пока вы не подтвердите.", "effect_gives": "Даёт", "effect_takes": "Забирает", "members_affected": "Сотрудники этого отдела",
		"add_staff": "Добавить сотрудника", "edit_staff": "Изменить сотрудника", "new_staff": "Новый сотрудник",
		"login": "Логин", "full_name": "Полное имя", "email": "Эл. почта", "phone": "Телефон", "full_access": "Полный доступ",
		"password": "Пароль", "password_generate": "Сгенерировать пароль", "password_reset": "Сбросить пароль",
		"password_once": "Новый пароль, показан один раз:", "avatar": "Аватар", "upload": "Загрузить",
		"search": "Найти", "first_page": "В начало", "previous": "Назад", "next": "Далее", "page": "Страница", "rights": "Права",
		"inherited": "от отдела", "direct": "личное право", "full_access_note": "Полный доступ: все права, включая функции, добавленные позже.",
		"rights_note": "Права отделов показаны, но не меняются здесь; личные права — меняются.",
		"when":        "Когда", "who": "Кто", "operation": "Операция", "target_col": "Объект", "reason": "Причина",
		"change": "Изменение", "since": "С", "until": "По", "filter": "Отобрать", "all": "все",
		"denied": "Действие запрещено", "denied_missing": "Нужно право", "invalid": "Исправьте форму",
		"not_found": "Не найдено", "error": "Что-то пошло не так", "conflict": "Конфликт",
		"unauthenticated": "Войдите в систему", "saved": "Сохранено.", "none": "нет", "version": "Версия",
		"confirm_delete": "Удалить отдел? Его сотрудники потеряют то, что давал только он.",
	},
}

// Russian titles of the built-in functions and actions; other functions
// show the catalog's (English) title and actions their names.
var ruTitles = map[string]string{
	"support": "Центр поддержки", "services": "Товары/услуги", "clients": "Клиенты", "payments": "Платежи",
	"expenses": "Расходы", "invoices": "Счета", "tariffs": "Тарифные планы", "reports": "Отчёты",
	"settings": "Глобальные настройки", "departments": "Отделы", "staff": "Сотрудники", "tasks": "Задания",
	"actionlog": "Журнал действий",
	"act.view":  "просмотр", "act.add": "добавление", "act.edit": "изменение", "act.delete": "удаление",
	"act.send": "отправка", "act.suspend": "приостановка", "act.resume": "возобновление", "act.reply": "ответ",
	"act.assign": "назначение", "act.close": "закрытие", "act.export": "выгрузка", "act.take": "взятие",
	"act.cancel": "отмена",
}

// translator gives a page's texts.
type translator struct{ lang language.Tag }

func (t translator) T(key string) string {
	base, _ := t.lang.Base()
	if s, ok := texts[base.String()][key]; ok {
		return s
	}
	return texts["en"][key]
}

func (t translator) ru() bool { b, _ := t.lang.Base(); return b.String() == "ru" }

func (t translator) function(f rbac.FunctionInfo) string {
	if t.ru() {
		if s, ok := ruTitles[string(f.Function)]; ok {
			return s
		}
	}
	return f.Title
}

func (t translator) action(a rbac.Action) string {
	if t.ru() {
		if s, ok := ruTitles["act."+string(a)]; ok {
			return s
		}
	}
	return string(a)
}
