# ladderd, 한국어. 종족 이름(테란/저그/프로토스)은 설정에 적힌 대로 표시됩니다.

## 거부
error-no-tos = 먼저 이용 약관에 동의해 주세요
error-not-set-up = 먼저 프로필을 설정해 주세요 (게임 내 이름, 배틀태그, 국가, 지역)
error-banned = 이 래더에서 차단되었습니다: { $reason }
error-invalid-setup = 설정에 문제가 있습니다: { $problems }
error-unknown-race = "{ $race }"은(는) 이 래더의 종족이 아닙니다. 다음 중에서 고르세요: { $choices }
error-same-group = 그룹당 종족은 하나만 고를 수 있습니다. { $first }와(과) { $second }은(는) 같은 그룹입니다
error-no-race = 큐에 참가할 종족을 고르세요
error-unknown-map = "{ $map }"은(는) 이번 시즌 맵 풀에 없습니다
error-too-many-vetoes = 거부할 수 있는 맵은 최대 { $count }개입니다
error-already-queueing = 이미 큐에 있습니다
error-not-queueing = 큐에 있지 않습니다
error-in-match = 진행 중인 경기가 있습니다. 먼저 끝내 주세요
error-cooldown = 경기를 수락하지 않고 나갔습니다. { $seconds }초 후에 다시 큐에 참가할 수 있습니다
error-unknown-player = 이 래더에 { $player } 플레이어가 없습니다
error-unknown-match = #{ $match } 경기가 없습니다
error-not-your-match = #{ $match } 경기의 참가자가 아닙니다
error-wrong-state = #{ $match } 경기는 { $state } 상태입니다. 지금은 할 수 없습니다
error-confirm-window-closed = #{ $match } 경기의 수락 시간이 끝났습니다
error-not-confirmed = 결과를 보고하기 전에 두 선수 모두 #{ $match } 경기를 수락해야 합니다
error-no-aborts-left = 이번 달 취소 횟수를 모두 썼습니다. 매월 1일(UTC)에 초기화됩니다
error-resolved-by-admin = #{ $match } 경기는 관리자가 판정했습니다. 잘못되었다면 관리자에게 문의하세요
error-already-completed = #{ $match } 경기는 이미 끝났습니다
error-replay-players-mismatch = 리플레이의 선수가 #{ $match } 경기의 선수와 다릅니다
error-not-admin = 래더 관리자만 할 수 있습니다
error-not-owner = 관리자 권한은 소유자만 주거나 뺏을 수 있습니다
error-no-reason = 관리자 작업에는 사유가 필요합니다
error-uploads-unavailable = 지금은 리플레이를 올릴 수 없습니다
error-no-match-for-replay = 이 리플레이를 붙일 경기를 찾지 못했습니다. 관리자가 대신 붙일 수 있습니다
error-confirmation-expired = 확인 시간이 지났습니다. 명령을 다시 실행하세요
error-not-asker = 명령을 요청한 관리자만 확인할 수 있습니다
error-stale-button = 오래된 버튼입니다. 명령을 다시 실행하세요
error-stale-form = 오래된 양식입니다. /setup을 다시 실행하세요

## 경기 상태, 보고, 결과
state-found = 매칭됨
state-in-progress = 진행 중
state-completed = 완료
state-conflict = 분쟁
state-aborted = 취소됨
state-abandoned = 무산됨
state-invalidated = 무효
report-win = 승
report-loss = 패
report-draw = 무
report-none = 보고 없음
result-player1 = 1번 선수 승리
result-player2 = 2번 선수 승리
result-draw = 무승부

## 경기 카드
card-found-title = 매치 성사
card-started-title = 경기 확정 — GL HF
card-title = **{ $title } — 경기 #{ $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(배치 중)
       *[no] {""}
    }
card-map = 맵: **{ $map }**{ $all_vetoed ->
        [yes] {" "}(모든 맵이 거부되어 가장 적게 거부된 맵을 골랐습니다)
       *[no] {""}
    }
card-server = 서버: { $server } — 예상 승률 { $first }% / { $second }%
card-confirm-by = 제한 시간(<t:{ $when }:R>) 안에 수락하지 않으면 경기가 무산됩니다.
card-report-prompt = 경기가 끝나면 여기에 리플레이를 올리거나 결과를 보고하세요:
confirm-reminder = ⏰ 경기 #{ $match }: 수락까지 { $seconds }초 남았습니다.
button-confirm = 수락
button-abort = 취소
button-won = 이겼어요
button-lost = 졌어요
button-draw = 무승부
match-ended = 🏁 경기 #{ $match }: { $result }.
match-ended-rating = 점수 변동: { $a } / { $b }.
conflict = ⚠️ 경기 #{ $match }: 보고가 서로 다릅니다 ({ $first } / { $second }). 관리자가 판정할 때까지 점수는 바뀌지 않습니다.
conflict-replay = 검증된 리플레이 결과: { $result }.
flagged = 🚩 경기 #{ $match }이(가) 너무 오래 정리되지 않았습니다 (합의된 결과가 없거나, 필요한 검증 리플레이가 없습니다).
replay-file = 📎 경기 #{ $match }의 검증된 리플레이 (sha256 { $sha }).

## 큐와 로비
queue-view = **큐** — 대기 { $queueing }명, 다음 매칭까지 { $seconds }초, 진행 중인 경기 { $in_progress }개, 최근 15분 활동 { $active }명.
queue-by-region = 지역별: { $regions }
lobby-title = 📡 **래더 현황** — { $searching }명 검색 중
lobby-by-region = 지역별: { $regions }
lobby-next = 다음 매칭까지 { $seconds }초 · 진행 중인 경기 { $in_progress }개 · 지난 매칭: { $found }경기 성사
button-join = 참가
button-leave = 나가기
select-races = 참가할 종족…
select-vetoes = 거부할 맵…

## 프로필, 순위표, 전적
profile-not-set-up = (설정 안 됨)
profile-no-country = (국가 없음)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(종료)
       *[no] {""}
    }: { $wins }승 { $losses }패 { $draws }무, 최근 14/30/90일 경기: { $games14 }/{ $games30 }/{ $games90 }, 남은 취소: { $aborts }회{ $banned ->
        [yes] {" "}— **차단됨**
       *[no] {""}
    }
profile-rank = , 등급 { $rank }
profile-race = • { $race }: { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}배치 중
       *[no] {""}
    }{ $rank } — { $wins }승 { $losses }패 { $draws }무
profile-head-to-head = **{ $opponent } 상대 전적**: { $wins }승 { $losses }패 { $draws }무
profile-head-to-head-latest = ; 최근: { $recent }
setup-hint = /setup으로 프로필을 수정하세요.
leaderboard-head = **순위표 — { $season }{ $ended ->
        [yes] {" "}(종료)
       *[no] {""}
    }** — { $page }/{ $pages } 페이지 ({ $total }명){ $filters }
filter-race = 종족 { $values }
filter-country = 국가 { $values }
filter-region = 지역 { $values }
filter-rank = 등급 { $values }
filter-best = 최고 종족만
button-previous = ◀ 이전
button-next = 다음 ▶
history-head = **전적** — { $page }/{ $pages } 페이지
history-row = #{ $match } { $race } ({ $outcome }) vs { $opponent } ({ $opponent_race }), { $map }: { $state }{ $change }

## 봇의 답변
terms = **래더 규칙**
    • 배정된 맵과 서버에서, 게임 속도 '빠름'으로 경기하세요.
    • 정직하게 보고하세요. 가능하면 리플레이를 올리세요 — 리플레이만으로 결과가 정해집니다.
    • 제한 시간 안에 수락하지 않으면 경기가 무산됩니다.
    • 분쟁은 관리자가 판정하며, 그 판정이 최종입니다.
    참가하려면 **동의**를 누르세요.
button-accept = 동의
help = **래더 이용 방법**
    1. `/termsofservice`에서 약관에 동의합니다.
    2. `/setup`으로 게임 내 이름, 배틀태그, 국가, 지역을 설정합니다.
    3. `/queue`(종족 선택 가능)로 큐에 참가하고 다음 매칭을 기다립니다.
    4. 경기를 수락하고 플레이한 뒤 리플레이를 올리거나 결과를 보고합니다.
    `/profile`, `/leaderboard`, `/history`로 순위를 볼 수 있습니다.
restarting = ⏳ ladderd가 재시작 중입니다. 아무것도 처리되지 않았습니다 — 잠시 후 다시 시도하세요.
done = 완료.
cancelled = 취소했습니다. 아무것도 바뀌지 않았습니다.
inbox = 📬 DM으로 전달하지 못한 메시지입니다:
setup-title = 래더 설정
setup-name = 게임 내 이름
setup-name-hint = 3–12글자
setup-battletag = 배틀태그
setup-battletag-hint = 이름#1234
setup-alt-names = 다른 게임 내 이름
setup-alt-names-hint = 최대 세 개, 쉼표로 구분
setup-country = 국가
setup-country-hint = ISO 코드, 예: KR (XX: 없음)
setup-region = 지역
setup-region-hint = 예: KR, EU, NA

## 확인 메시지
ack-terms-accepted = 약관에 동의했습니다. 이제 프로필을 설정하세요 (게임 내 이름, 배틀태그, 국가, 지역)
ack-terms-already-accepted = 이미 약관에 동의했습니다
ack-profile-saved = 프로필을 저장했습니다
ack-country-none = 국가를 저장했습니다: 대표 국가 없음
ack-country-saved = 국가를 저장했습니다: { $country }
ack-queued = { $races }(으)로 큐에 참가했습니다. 다음 매칭까지 { $seconds }초
ack-left-queue = 큐에서 나왔습니다
ack-confirmed = 수락했습니다. 상대를 기다리는 중입니다
ack-already-confirmed = 이미 수락했습니다. 상대를 기다리는 중입니다
ack-both-confirmed = 두 선수 모두 이미 수락한 경기입니다
ack-report-saved = 보고를 저장했습니다
ack-report-saved-waiting = 보고를 저장했습니다. 상대의 보고(또는 리플레이)를 기다립니다
ack-report-saved-upload = 보고를 저장했습니다. 이 래더는 검증된 리플레이로 결과를 정합니다: 경기 #{ $match }의 리플레이를 올려 주세요
ack-replay-settled = 감사합니다. 리플레이로 이미 결과가 정해졌습니다

## 리플레이 업로드
upload-too-big-announced = 이 파일은 { $size }바이트입니다. { $limit }바이트가 넘는 리플레이는 받지 않습니다
upload-too-many = 최근 1분 동안 리플레이를 { $count }개 보냈습니다. { $seconds }초 후에 다시 시도하세요
upload-bad-url = 첨부 파일 URL이 올바르지 않습니다
upload-timeout = 리플레이 다운로드 시간이 초과되었습니다
upload-failed = 리플레이를 내려받지 못했습니다: { $detail }
upload-too-big = 리플레이가 { $limit }바이트보다 큽니다
upload-unreadable = 이 리플레이를 읽을 수 없습니다: { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 { $minutes }분째 상대를 찾고 있습니다. 계속 찾으시겠습니까? { $deadline } 답하지 않으면 큐에서 나가게 됩니다.
button-keep-searching = 계속 찾기
queue-expired = "계속 찾으시겠습니까?"에 답이 없어 큐에서 나갔습니다. 준비되면 다시 참가하세요.
someone-searching = 🔔 누군가 상대를 찾기 시작했습니다 ({ $races }, 점수 { $rating }). 지금 { $searching }명이 찾는 중입니다.

## 알림: 래더가 선수나 로비에 알리는 것
result-won = { $winner } 승리 ({ $loser } 상대)
ended-agreed = 두 선수의 보고가 일치했습니다
ended-replay = 검증된 리플레이로 판정되었습니다
ended-admin = 관리자가 판정했습니다
ended-aborted-by = { $name }님이 취소했습니다 (이번 달 남은 취소 { $left }회, { $wait } 후 다시 큐 참가 가능)
ended-admin-reset = 관리자가 이 경기의 선수를 초기화했습니다: { $reason }
duration = { $hours ->
        [0] { $minutes }분
       *[other] { $minutes ->
            [0] { $hours }시간
           *[other] { $hours }시간 { $minutes }분
        }
    }
note-lapsed = #{ $match } 경기를 제때 수락하지 않았습니다. 경기는 무산으로 기록되고 취소 1회로 계산됩니다 (이번 달 남은 취소 { $left }회). { $wait } 후에 다시 큐에 참가할 수 있습니다
note-lapsed-forgiven = #{ $match } 경기를 제때 수락하지 않아 무산으로 기록되었지만, 경기 카드가 늦게 도착했거나 도착하지 않아 불이익은 없습니다
note-opponent-lapsed = 상대가 #{ $match } 경기를 수락하지 않았습니다. 다시 큐에 들어갔습니다
note-restart-emptied-queue = ladderd가 다시 시작되어 큐가 비워졌습니다. 준비되면 다시 참가하세요
note-staying-in-queue = 큐에 계속 남아 있습니다
note-removed-from-queue = 관리자가 큐에서 제외했습니다: { $reason }
note-queue-cleared = 관리자가 큐를 비웠습니다: { $reason }
note-banned = 래더에서 차단되었습니다: { $reason }
note-unbanned = 래더 차단이 해제되었습니다
note-no-maps = 없음
note-map-pool-changed = 맵 풀이 바뀌었습니다 — 추가: { $added }, 제외: { $removed }. 이미 성사된 경기는 원래 맵을 유지합니다.
note-season-started = { $ended } 종료, { $started } 시작 (맵 { $maps }개)
note-notifications-off = 알림이 꺼져 있습니다. `/알림 켜기:true`로 누군가 상대를 찾기 시작할 때 알림을 받을 수 있습니다
note-notifications-on = 알림이 켜져 있습니다: 누군가 상대를 찾기 시작하면 알림, 최대 { $minutes }분에 한 번
note-notifications-quiet = , { $from }–{ $to } ({ $zone })에는 알림 없음
note-notifications-near = , 레이팅 차이 { $points }점 이내의 상대만
note-replay-unattached = 리플레이를 저장했습니다. 연결된 경기는 없습니다
note-replay-rejected = 리플레이가 인정되지 않았습니다: { $detail }
note-replay-after-admin = 리플레이를 저장했습니다. 이 경기는 이미 관리자가 판정했습니다
note-replay-agrees = 리플레이를 저장했습니다. 결과와 일치합니다
note-replay-kept = 리플레이를 검증해 보관했습니다. 이 래더에서는 두 선수의 보고로 #{ $match } 경기가 확정됩니다
note-replay-stored = 리플레이를 저장했습니다. #{ $match } 경기는 { $state } 상태입니다

## 거부된 입력
invalid-replay-reused = 이미 다른 경기에 쓰인 리플레이입니다. 이 경기의 리플레이를 올려 주세요
invalid-unknown-season = { $season } 시즌이 없습니다. 시즌 목록: { $known }
invalid-same-player = 상대 전적은 서로 다른 두 선수가 필요합니다
invalid-unknown-region = "{ $region }"은(는) 이 래더의 지역이 아닙니다. 다음 중에서 고르세요: { $choices }
invalid-expired-buttons = 순위표 버튼이 만료되었습니다. /순위표를 다시 실행하세요
invalid-notifications-off = 이 래더에서는 알림을 쓸 수 없습니다
invalid-ping-gap = 알림 간격은 { $min }~{ $max }분이어야 합니다
invalid-quiet-hours = 방해 금지 시간은 22-07 또는 22:30-07:00 (또는 off) 형식입니다. 입력: "{ $given }"
invalid-quiet-hours-empty = 방해 금지 시간의 시작과 끝이 같습니다: "{ $given }"
invalid-time-zone = "{ $given }"은(는) 시간대가 아닙니다. Europe/Berlin, Asia/Seoul 같은 이름을 쓰세요
invalid-near-rating = 레이팅 차이는 최대 { $max }점입니다 (0: 제한 없음)
invalid-no-replay = #{ $match } 경기에는 검증된 리플레이가 없습니다
invalid-rating = { $value }은(는) 쓸 수 없는 레이팅입니다
invalid-not-in-queue = { $player } 플레이어는 큐에 없습니다
invalid-no-season-name = 다음 시즌의 이름을 정하세요
setup-field-problem = { $field }: { $problem }
problem-name-length = "{ $name }"은(는) { $chars }자입니다. 게임 내 이름은 3~12자입니다
problem-name-letters = "{ $name }"에 "{ $found }"이(가) 있습니다. 게임 내 이름은 문자만 쓸 수 있습니다
problem-tag-no-hash = "{ $tag }"에 '#'이 없습니다. 배틀태그는 Name#1234 형식입니다
problem-tag-name-length = 이름 부분 "{ $name }"은(는) { $chars }자입니다. 1~12자여야 합니다
problem-tag-name-chars = 이름 부분 "{ $name }"은(는) 문자나 숫자여야 하고 숫자로 시작할 수 없습니다
problem-tag-digits = 숫자 부분 "{ $digits }"은(는) 3~12자리 숫자여야 합니다
problem-too-many-alt-names = { $given }개를 입력했습니다. 다른 이름은 최대 { $max }개입니다
problem-alt-name-twice = "{ $name }"이(가) 두 번 있거나 게임 내 이름과 같습니다. 이름은 모두 달라야 합니다
problem-country = "{ $given }"은(는) ISO 3166 국가 코드가 아닙니다 (두 글자, 예: KR, DE, US; 없음은 XX)
problem-region = "{ $given }"은(는) 이 래더의 지역이 아닙니다. 다음 중 하나를 고르세요: { $choices }
