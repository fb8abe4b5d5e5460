# Веб-сайт, русский. Состояния матчей берутся из ladderd.ftl (`state-*`).

## Все страницы
web-site-title = Ладдер
web-nav-leaderboard = Таблица
web-nav-seasons = Сезоны
web-nav-activity = Активность
web-language = Язык
web-api-note = Те же данные в JSON:
web-no-js = Только чтение; без JavaScript и cookie.
web-not-found = Не найдено
web-bad-request = Неверный запрос

## Таблица
web-leaderboard = Таблица
web-ended = завершён
web-filters = Фильтры
web-apply = Применить
web-best-race-only = только лучшая раса
web-page-of = Страница { $page } из { $pages } ({ $total ->
    [one] { $total } запись
    [few] { $total } записи
   *[many] { $total } записей
})
web-previous = ◀ Назад
web-next = Вперёд ▶
web-provisional = предварительный

## Заголовки таблиц
web-col-pos = №
web-col-player = Игрок
web-col-country = Страна
web-col-region = Регион
web-col-race = Раса
web-col-rating = Рейтинг
web-col-rank = Ранг
web-col-record = П-П-Н
web-col-season = Сезон
web-col-started = Начало
web-col-ended = Конец
web-col-rated = Игроков-рас с рейтингом
web-col-match = Матч
web-col-date = Дата
web-col-opponent = Соперник
web-col-map = Карта
web-col-result = Итог
web-col-change = Изменение рейтинга

## Страница игрока
web-ratings = Рейтинги
web-no-ratings = В этом сезоне нет рейтинговых игр.
web-rating-history = История рейтинга
web-head-to-head = Личные встречи
web-recent-matches = Последние матчи
web-no-matches = Матчей пока нет.
web-win = победа
web-loss = поражение
web-draw = ничья

## Страница матча
web-match-title = Матч №{ $match }
web-state = Состояние
web-replay = Реплей
web-replay-verified = проверенный реплей
web-build = сборка { $build }
web-download-replay = Скачать реплей
web-no-replay = Проверенного реплея нет.

## Сезоны и активность
web-current = текущий
web-activity = Активность
web-activity-note = Найденные матчи по часам недели (UTC) и сыгранные игры по дням.

## Графики
web-chart-rating = Рейтинг по расам
web-chart-hours = Найденные матчи по часам недели (UTC)
web-chart-days = Игры по дням
web-mon = Пн
web-tue = Вт
web-wed = Ср
web-thu = Чт
web-fri = Пт
web-sat = Сб
web-sun = Вс
