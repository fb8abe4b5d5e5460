# 웹 사이트, 한국어. 경기 상태는 ladderd.ftl(`state-*`)에서 가져옵니다.

## 모든 페이지
web-site-title = 래더
web-nav-leaderboard = 순위표
web-nav-seasons = 시즌
web-nav-activity = 활동
web-language = 언어
web-api-note = 같은 데이터(JSON):
web-no-js = 읽기 전용, 자바스크립트와 쿠키 없음.
web-not-found = 찾을 수 없음
web-bad-request = 잘못된 요청

## 순위표
web-leaderboard = 순위표
web-ended = 종료
web-filters = 필터
web-apply = 적용
web-best-race-only = 최고 종족만
web-page-of = { $page }/{ $pages } 페이지 ({ $total }명)
web-previous = ◀ 이전
web-next = 다음 ▶
web-provisional = 잠정

## 표 머리글
web-col-pos = #
web-col-player = 선수
web-col-country = 국가
web-col-region = 지역
web-col-race = 종족
web-col-rating = 레이팅
web-col-rank = 등급
web-col-record = 승-패-무
web-col-season = 시즌
web-col-started = 시작
web-col-ended = 종료
web-col-rated = 레이팅 받은 선수-종족
web-col-match = 경기
web-col-date = 날짜
web-col-opponent = 상대
web-col-map = 맵
web-col-result = 결과
web-col-change = 레이팅 변화

## 선수 페이지
web-ratings = 레이팅
web-no-ratings = 이번 시즌에 레이팅 경기가 없습니다.
web-rating-history = 레이팅 기록
web-head-to-head = 상대 전적
web-recent-matches = 최근 경기
web-no-matches = 아직 경기가 없습니다.
web-win = 승
web-loss = 패
web-draw = 무

## 경기 페이지
web-match-title = 경기 #{ $match }
web-state = 상태
web-replay = 리플레이
web-replay-verified = 검증된 리플레이
web-build = 빌드 { $build }
web-download-replay = 리플레이 다운로드
web-no-replay = 검증된 리플레이가 없습니다.

## 시즌과 활동
web-current = 현재
web-activity = 활동
web-activity-note = 요일·시간별 매칭 수(UTC)와 하루 경기 수.

## 차트
web-chart-rating = 종족별 레이팅
web-chart-hours = 요일·시간별 매칭 수 (UTC)
web-chart-days = 하루 경기 수
web-mon = 월
web-tue = 화
web-wed = 수
web-thu = 목
web-fri = 금
web-sat = 토
web-sun = 일
