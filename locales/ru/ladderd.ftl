# ladderd, русский. Названия рас (Терран/Зерг/Протосс) показываются так, как заданы в настройках.

## Отказы
error-no-tos = сначала примите правила
error-not-set-up = сначала заполните профиль (игровой ник, BattleTag, страна, регион)
error-banned = вы заблокированы на этом ладдере: { $reason }
error-invalid-setup = в профиле есть ошибки: { $problems }
error-unknown-race = «{ $race }» — не раса этого ладдера; выберите из: { $choices }
error-same-group = можно выбрать не больше одной расы из группы; { $first } и { $second } в одной группе
error-no-race = выберите расу для очереди
error-unknown-map = «{ $map }» нет в маппуле этого сезона
error-too-many-vetoes = можно запретить не больше { $count ->
        [one] { $count } карты
       *[other] { $count } карт
    }
error-already-queueing = вы уже в очереди
error-not-queueing = вы не в очереди
error-in-match = у вас идёт матч; сначала доиграйте его
error-cooldown = вы не подтвердили матч; снова встать в очередь можно через { $seconds } с
error-unknown-player = на этом ладдере нет игрока { $player }
error-unknown-match = нет матча #{ $match }
error-not-your-match = вы не играете в матче #{ $match }
error-wrong-state = матч #{ $match } в состоянии «{ $state }»; сейчас это невозможно
error-confirm-window-closed = время на подтверждение матча #{ $match } истекло
error-not-confirmed = оба игрока должны подтвердить матч #{ $match }, прежде чем сообщать результат
error-no-aborts-left = в этом месяце отмены закончились; они обновятся 1-го числа (UTC)
error-resolved-by-admin = результат матча #{ $match } определил администратор; если это ошибка, обратитесь к администратору
error-already-completed = матч #{ $match } уже завершён
error-replay-players-mismatch = игроки в реплее не совпадают с игроками матча #{ $match }
error-not-admin = это может сделать только администратор ладдера
error-not-owner = выдавать и снимать права администратора может только владелец
error-no-reason = для действий администратора нужна причина
error-uploads-unavailable = загрузка реплеев сейчас недоступна
error-no-match-for-replay = не нашёл вашего матча для этого реплея; администратор может прикрепить его вручную
error-confirmation-expired = время на подтверждение истекло; выполните команду ещё раз
error-not-asker = подтвердить может только администратор, который это запросил
error-stale-button = эта кнопка устарела; выполните команду ещё раз
error-stale-form = эта форма устарела; выполните /setup ещё раз

## Состояния, отчёты, результаты
state-found = найден
state-in-progress = идёт
state-completed = завершён
state-conflict = спорный
state-aborted = отменён
state-abandoned = сорван
state-invalidated = аннулирован
report-win = победа
report-loss = поражение
report-draw = ничья
report-none = нет отчёта
result-player1 = победил игрок 1
result-player2 = победил игрок 2
result-draw = ничья

## Карточки матчей
card-found-title = Матч найден
card-started-title = Матч подтверждён — GL HF
card-title = **{ $title } — матч #{ $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(калибровка)
       *[no] {""}
    }
card-map = Карта: **{ $map }**{ $all_vetoed ->
        [yes] {" "}(все карты были запрещены; выбрана наименее запрещённая)
       *[no] {""}
    }
card-server = Сервер: { $server } — прогноз { $first }% / { $second }%
card-confirm-by = Подтвердите матч вовремя (до <t:{ $when }:R>), иначе он будет сорван.
card-report-prompt = После игры загрузите сюда реплей или сообщите результат:
confirm-reminder = ⏰ Матч #{ $match }: на подтверждение { $seconds ->
        [one] осталась { $seconds } секунда
        [few] осталось { $seconds } секунды
       *[other] осталось { $seconds } секунд
    }.
button-confirm = Подтвердить
button-abort = Отменить
button-won = Я выиграл
button-lost = Я проиграл
button-draw = Ничья
match-ended = 🏁 Матч #{ $match }: { $result }.
match-ended-rating = Изменение рейтинга: { $a } / { $b }.
conflict = ⚠️ Матч #{ $match }: отчёты расходятся ({ $first } / { $second }). Решит администратор; до тех пор рейтинг не меняется.
conflict-replay = Проверенный реплей говорит: { $result }.
flagged = 🚩 Матч #{ $match } слишком долго не закрыт (нет согласованного результата или нет обязательного проверенного реплея).
replay-file = 📎 Проверенный реплей матча #{ $match } (sha256 { $sha }).

## Очередь и лобби
queue-view = **Очередь** — { $queueing ->
        [one] { $queueing } игрок в очереди
        [few] { $queueing } игрока в очереди
       *[other] { $queueing } игроков в очереди
    }, следующая волна через { $seconds } с, { $in_progress ->
        [one] { $in_progress } матч идёт
        [few] { $in_progress } матча идут
       *[other] { $in_progress } матчей идут
    }, { $active } активны за последние 15 мин.
queue-by-region = По регионам: { $regions }
lobby-title = 📡 **Состояние ладдера** — в поиске: { $searching }
lobby-by-region = по регионам: { $regions }
lobby-next = Следующая волна через { $seconds } с · матчей идёт: { $in_progress } · в прошлой волне { $found ->
        [one] найден { $found } матч
        [few] найдено { $found } матча
       *[other] найдено { $found } матчей
    }
button-join = Встать в очередь
button-leave = Выйти
select-races = Расы для очереди…
select-vetoes = Запретить карты…

## Профиль, таблица, история
profile-not-set-up = (не заполнен)
profile-no-country = (без страны)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(завершён)
       *[no] {""}
    }: { $wins }-{ $losses }-{ $draws } (П-П-Н), игр за 14/30/90 дней: { $games14 }/{ $games30 }/{ $games90 }, осталось отмен: { $aborts }{ $banned ->
        [yes] {" "}— **заблокирован**
       *[no] {""}
    }
profile-rank = , ранг { $rank }
profile-race = • { $race }: { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}калибровка
       *[no] {""}
    }{ $rank } — { $wins }-{ $losses }-{ $draws }
profile-head-to-head = **Личные встречи с { $opponent }**: { $wins }-{ $losses }-{ $draws } (П-П-Н)
profile-head-to-head-latest = ; последние: { $recent }
setup-hint = Изменить профиль: /setup.
leaderboard-head = **Таблица — { $season }{ $ended ->
        [yes] {" "}(завершён)
       *[no] {""}
    }** — страница { $page }/{ $pages } ({ $total ->
        [one] { $total } запись
        [few] { $total } записи
       *[other] { $total } записей
    }){ $filters }
filter-race = раса { $values }
filter-country = страна { $values }
filter-region = регион { $values }
filter-rank = ранг { $values }
filter-best = только лучшая раса
button-previous = ◀ Назад
button-next = Вперёд ▶
history-head = **История** — страница { $page }/{ $pages }
history-row = #{ $match } { $race } ({ $outcome }) против { $opponent } ({ $opponent_race }), карта { $map }: { $state }{ $change }

## Ответы бота
terms = **Правила ладдера**
    • Играйте матчи на назначенной карте и сервере, на скорости «Быстрее».
    • Сообщайте результат честно; по возможности загружайте реплей — он сам определяет результат.
    • Подтверждайте матч вовремя, иначе он будет сорван.
    • Споры решают администраторы; их решение окончательно.
    Нажмите **Принять**, чтобы участвовать.
button-accept = Принять
help = **Как устроен ладдер**
    1. `/termsofservice` и примите правила.
    2. `/setup`: игровой ник, BattleTag, страна и регион.
    3. `/queue` (можно указать расу) и ждите следующей волны.
    4. Подтвердите матч, сыграйте, загрузите реплей или сообщите результат.
    `/profile`, `/leaderboard` и `/history` показывают положение в таблице.
restarting = ⏳ ladderd перезапускается; ничего не сделано — попробуйте через минуту.
done = Готово.
cancelled = Отменено; ничего не сделано.
inbox = 📬 Вот что не удалось доставить вам в личные сообщения:
setup-title = Настройка профиля
setup-name = Игровой ник
setup-name-hint = 3–12 букв
setup-battletag = BattleTag
setup-battletag-hint = Name#1234
setup-alt-names = Другие игровые ники
setup-alt-names-hint = до трёх, через запятую
setup-country = Страна
setup-country-hint = ISO-код, напр. RU (XX: без страны)
setup-region = Регион
setup-region-hint = напр. EU, NA, KR

## Подтверждения
ack-terms-accepted = правила приняты; теперь заполните профиль (игровой ник, BattleTag, страна, регион)
ack-terms-already-accepted = вы уже приняли правила
ack-profile-saved = профиль сохранён
ack-country-none = страна сохранена: вы не представляете страну
ack-country-saved = страна сохранена: { $country }
ack-queued = вы в очереди за { $races }; следующая волна через { $seconds } с
ack-left-queue = вы вышли из очереди
ack-confirmed = подтверждено; ждём соперника
ack-already-confirmed = вы уже подтвердили; ждём соперника
ack-both-confirmed = матч уже подтверждён обоими игроками
ack-report-saved = отчёт сохранён
ack-report-saved-waiting = отчёт сохранён; ждём отчёта соперника (или реплея)
ack-report-saved-upload = отчёт сохранён; на этом ладдере результат определяет проверенный реплей: загрузите реплей матча #{ $match }
ack-replay-settled = спасибо; реплей уже определил результат этого матча

## Загрузка реплеев
upload-too-big-announced = размер файла { $size } байт; реплеи больше { $limit } байт не принимаются
upload-too-many = за последнюю минуту вы отправили { $count ->
        [one] { $count } реплей
        [few] { $count } реплея
       *[other] { $count } реплеев
    }; попробуйте снова через { $seconds } с
upload-bad-url = недопустимый адрес вложения
upload-timeout = время загрузки реплея истекло
upload-failed = не удалось скачать реплей: { $detail }
upload-too-big = реплей больше { $limit } байт
upload-unreadable = не удалось прочитать реплей: { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 Вы ищете соперника уже { $minutes } мин. Ещё ищете? Ответьте { $deadline }, иначе вы выйдете из очереди.
button-keep-searching = Продолжить поиск
queue-expired = Вы вышли из очереди: не было ответа на «ещё ищете?». Встаньте в очередь снова, когда будете готовы.
someone-searching = 🔔 Кто-то начал поиск ({ $races }, рейтинг { $rating }); сейчас ищут: { $searching }.

## Сообщения: что ладдер говорит игроку или лобби
result-won = { $winner } победил(а) { $loser }
ended-agreed = оба игрока сообщили одно и то же
ended-replay = решено по проверенному реплею
ended-admin = решено администратором
ended-aborted-by = отменён игроком { $name } (в этом месяце { $left ->
        [one] осталась { $left } отмена
        [few] осталось { $left } отмены
       *[many] осталось { $left } отмен
    }; снова в очередь через { $wait })
ended-admin-reset = администратор сбросил игрока этого матча: { $reason }
duration = { $hours ->
        [0] { $minutes } мин
       *[other] { $minutes ->
            [0] { $hours } ч
           *[other] { $hours } ч { $minutes } мин
        }
    }
note-lapsed = вы не подтвердили матч #{ $match } вовремя; он записан как несостоявшийся и считается отменой (в этом месяце осталось: { $left }); встать в очередь снова можно через { $wait }
note-lapsed-forgiven = вы не подтвердили матч #{ $match } вовремя; он записан как несостоявшийся, но его карточка пришла к вам поздно или не пришла совсем, поэтому это вам ничего не стоит
note-opponent-lapsed = соперник не подтвердил матч #{ $match }; вы снова в очереди
note-restart-emptied-queue = ladderd перезапустился, и очередь очищена; встаньте в очередь снова, когда будете готовы
note-staying-in-queue = вы остаётесь в очереди
note-removed-from-queue = администратор убрал вас из очереди: { $reason }
note-queue-cleared = администратор очистил очередь: { $reason }
note-banned = вы заблокированы в ладдере: { $reason }
note-unbanned = ваша блокировка в ладдере снята
note-no-maps = нет
note-map-pool-changed = пул карт изменился — добавлены: { $added }; убраны: { $removed }. Уже созданные матчи сохраняют свою карту.
note-season-started = { $ended } завершён; { $started } начинается, карт: { $maps }
note-notifications-off = уведомления выключены; `/уведомления вкл:true` пришлёт пинг, когда кто-то начнёт поиск
note-notifications-on = уведомления включены: пинг, когда кто-то начинает поиск, не чаще раза в { $minutes } мин
note-notifications-quiet = , кроме времени с { $from } до { $to } ({ $zone })
note-notifications-near = , только о соперниках с рейтингом в пределах { $points } очков от вашего
note-replay-unattached = реплей сохранён; он не привязан к матчу
note-replay-rejected = реплей не принят: { $detail }
note-replay-after-admin = реплей сохранён; этот матч уже решил администратор
note-replay-agrees = реплей сохранён; он совпадает с результатом
note-replay-kept = реплей проверен и сохранён; в этом ладдере матч #{ $match } решают отчёты обоих игроков
note-replay-stored = реплей сохранён; матч #{ $match }: { $state }

## Отклонённый ввод (код ставит ❌ впереди)
invalid-replay-reused = этот реплей уже использован для матча; загрузите реплей этой игры
invalid-unknown-season = сезона { $season } нет; сезоны: { $known }
invalid-same-player = для личных встреч нужны два разных игрока
invalid-unknown-region = «{ $region }» — не регион этого ладдера; выберите из: { $choices }
invalid-expired-buttons = кнопки таблицы устарели; запустите /таблица снова
invalid-notifications-off = уведомления в этом ладдере отключены
invalid-ping-gap = интервал между пингами должен быть от { $min } до { $max } мин
invalid-quiet-hours = тихие часы записываются как 22-07 или 22:30-07:00 (или off), а не «{ $given }»
invalid-quiet-hours-empty = начало и конец тихих часов совпадают: «{ $given }»
invalid-time-zone = «{ $given }» — не часовой пояс; укажите название вроде Europe/Moscow или Asia/Seoul
invalid-near-rating = близость — не больше { $max } очков (0: любые)
invalid-no-replay = у матча #{ $match } нет проверенного реплея
invalid-rating = { $value } — непригодный рейтинг
invalid-not-in-queue = игрока { $player } нет в очереди
invalid-no-season-name = дайте название следующему сезону
setup-field-problem = { $field }: { $problem }
problem-name-length = в «{ $name }» { $chars } { $chars ->
        [one] символ
        [few] символа
       *[many] символов
    }; в игровом имени от 3 до 12
problem-name-letters = «{ $name }» содержит «{ $found }»; в игровом имени только буквы
problem-tag-no-hash = в «{ $tag }» нет «#»; BattleTag выглядит как Имя#1234
problem-tag-name-length = в имени «{ $name }» { $chars } { $chars ->
        [one] символ
        [few] символа
       *[many] символов
    }; нужно от 1 до 12
problem-tag-name-chars = имя «{ $name }» должно состоять из букв или цифр и не начинаться с цифры
problem-tag-digits = номер «{ $digits }» должен состоять из 3–12 цифр
problem-too-many-alt-names = указано { $given }; других имён не больше { $max }
problem-alt-name-twice = «{ $name }» указано дважды (или совпадает с игровым именем); имена должны различаться
problem-country = «{ $given }» — не код страны ISO 3166 (две буквы, напр. RU, KR, DE; XX — без страны)
problem-region = «{ $given }» — не регион этого ладдера; выберите один из: { $choices }
