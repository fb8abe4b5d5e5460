# 网站，简体中文。比赛状态来自 ladderd.ftl（`state-*`）。

## 每个页面
web-site-title = 天梯
web-nav-leaderboard = 排行榜
web-nav-seasons = 赛季
web-nav-activity = 活跃度
web-language = 语言
web-api-note = 同样的数据（JSON）：
web-no-js = 只读；不用 JavaScript，不用 Cookie。
web-not-found = 未找到
web-bad-request = 请求有误

## 排行榜
web-leaderboard = 排行榜
web-ended = 已结束
web-filters = 筛选
web-apply = 应用
web-best-race-only = 仅最佳种族
web-page-of = 第 { $page }/{ $pages } 页（共 { $total } 条）
web-previous = ◀ 上一页
web-next = 下一页 ▶
web-provisional = 暂定

## 表头
web-col-pos = #
web-col-player = 选手
web-col-country = 国家
web-col-region = 地区
web-col-race = 种族
web-col-rating = 积分
web-col-rank = 段位
web-col-record = 胜-负-平
web-col-season = 赛季
web-col-started = 开始
web-col-ended = 结束
web-col-rated = 有积分的选手-种族
web-col-match = 比赛
web-col-date = 日期
web-col-opponent = 对手
web-col-map = 地图
web-col-result = 结果
web-col-change = 积分变化

## 选手页面
web-ratings = 积分
web-no-ratings = 本赛季没有计分比赛。
web-rating-history = 积分历史
web-head-to-head = 交手记录
web-recent-matches = 最近比赛
web-no-matches = 还没有比赛。
web-win = 胜
web-loss = 负
web-draw = 平

## 比赛页面
web-match-title = 比赛 #{ $match }
web-state = 状态
web-replay = 录像
web-replay-verified = 已验证的录像
web-build = 版本 { $build }
web-download-replay = 下载录像
web-no-replay = 没有已验证的录像。

## 赛季与活跃度
web-current = 当前
web-activity = 活跃度
web-activity-note = 按一周中每小时统计的匹配数（UTC）和每天完成的比赛数。

## 图表
web-chart-rating = 各种族积分
web-chart-hours = 每周各小时的匹配数（UTC）
web-chart-days = 每天比赛数
web-mon = 周一
web-tue = 周二
web-wed = 周三
web-thu = 周四
web-fri = 周五
web-sat = 周六
web-sun = 周日
