# ladderd，简体中文。种族名称（人族/虫族/神族或 Terran/Zerg/Protoss）按配置显示。

## 拒绝
error-no-tos = 请先接受服务条款
error-not-set-up = 请先完成设置（游戏内名称、战网 ID、国家、地区）
error-banned = 你已被本天梯封禁：{ $reason }
error-invalid-setup = 你的设置有问题：{ $problems }
error-unknown-race = “{ $race }”不是本天梯的种族；请从以下选择：{ $choices }
error-same-group = 每组最多选一个种族；{ $first } 和 { $second } 在同一组
error-no-race = 请选择排队使用的种族
error-unknown-map = “{ $map }”不在本赛季地图池中
error-too-many-vetoes = 最多禁用 { $count } 张地图
error-already-queueing = 你已在队列中
error-not-queueing = 你不在队列中
error-in-match = 你正在比赛中；请先完成比赛
error-cooldown = 你未确认就离开了一场比赛；{ $seconds } 秒后可重新排队
error-unknown-player = 本天梯没有玩家 { $player }
error-unknown-match = 没有比赛 #{ $match }
error-not-your-match = 你不是比赛 #{ $match } 的选手
error-wrong-state = 比赛 #{ $match } 当前状态为“{ $state }”；现在无法执行此操作
error-confirm-window-closed = 比赛 #{ $match } 的确认时间已结束
error-not-confirmed = 双方都确认比赛 #{ $match } 后才能报告结果
error-no-aborts-left = 本月取消次数已用完；每月 1 日（UTC）重置
error-resolved-by-admin = 比赛 #{ $match } 已由管理员裁定；如有错误请联系管理员
error-already-completed = 比赛 #{ $match } 已经结束
error-replay-players-mismatch = 录像中的选手与比赛 #{ $match } 的选手不符
error-not-admin = 此操作需要天梯管理员
error-not-owner = 只有所有者可以授予或撤销管理员
error-no-reason = 管理操作需要填写理由
error-uploads-unavailable = 暂时无法上传录像
error-no-match-for-replay = 找不到可以关联此录像的比赛；管理员可以代为关联
error-confirmation-expired = 确认已过期；请重新执行命令
error-not-asker = 只有发起命令的管理员才能确认
error-stale-button = 此按钮已过期；请重新执行命令
error-stale-form = 此表单已过期；请重新执行 /setup

## 比赛状态、报告与结果
state-found = 已匹配
state-in-progress = 进行中
state-completed = 已完成
state-conflict = 有争议
state-aborted = 已取消
state-abandoned = 已作废
state-invalidated = 已判无效
report-win = 胜
report-loss = 负
report-draw = 平
report-none = 未报告
result-player1 = 1 号选手获胜
result-player2 = 2 号选手获胜
result-draw = 平局

## 比赛卡片
card-found-title = 匹配成功
card-started-title = 比赛已确认 — 祝你好运，玩得开心
card-title = **{ $title } — 比赛 #{ $match }**
card-side = • { $name }（{ $battletag }）{ $country } — { $race } { $rating }{ $provisional ->
        [yes] （定级中）
       *[no] {""}
    }
card-map = 地图：**{ $map }**{ $all_vetoed ->
        [yes] （所有地图都被禁用，已选被禁次数最少的地图）
       *[no] {""}
    }
card-server = 服务器：{ $server } — 预测胜率 { $first }% / { $second }%
card-confirm-by = 请在时限内确认（<t:{ $when }:R> 截止），否则比赛作废。
card-report-prompt = 比赛结束后，请在此上传录像或报告结果：
confirm-reminder = ⏰ 比赛 #{ $match }：还剩 { $seconds } 秒确认。
button-confirm = 确认
button-abort = 取消
button-won = 我赢了
button-lost = 我输了
button-draw = 平局
match-ended = 🏁 比赛 #{ $match }：{ $result }。
match-ended-rating = 分数变化：{ $a } / { $b }。
conflict = ⚠️ 比赛 #{ $match }：双方报告不一致（{ $first } / { $second }）。将由管理员裁定，在此之前分数不变。
conflict-replay = 已验证的录像显示：{ $result }。
flagged = 🚩 比赛 #{ $match } 长时间未结算（没有一致的结果，或缺少必需的已验证录像）。
replay-file = 📎 比赛 #{ $match } 的已验证录像（sha256 { $sha }）。

## 队列与大厅
queue-view = **队列** — { $queueing } 人排队中，下一轮匹配还有 { $seconds } 秒，{ $in_progress } 场比赛进行中，最近 15 分钟 { $active } 人活跃。
queue-by-region = 按地区：{ $regions }
lobby-title = 📡 **天梯状态** — { $searching } 人正在寻找对手
lobby-by-region = 按地区：{ $regions }
lobby-next = 下一轮匹配还有 { $seconds } 秒 · { $in_progress } 场比赛进行中 · 上一轮：匹配成功 { $found } 场
button-join = 加入
button-leave = 离开
select-races = 选择排队种族…
select-vetoes = 禁用地图…

## 资料、排行榜、历史
profile-not-set-up = （未设置）
profile-no-country = （无国家）
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] （已结束）
       *[no] {""}
    }：{ $wins } 胜 { $losses } 负 { $draws } 平，近 14/30/90 天比赛：{ $games14 }/{ $games30 }/{ $games90 }，剩余取消次数：{ $aborts }{ $banned ->
        [yes] {" "}— **已封禁**
       *[no] {""}
    }
profile-rank = ，段位 { $rank }
profile-race = • { $race }：{ $rating }（{ $low }–{ $high }）{ $provisional ->
        [yes] {" "}定级中
       *[no] {""}
    }{ $rank } — { $wins } 胜 { $losses } 负 { $draws } 平
profile-head-to-head = **对阵 { $opponent }**：{ $wins } 胜 { $losses } 负 { $draws } 平
profile-head-to-head-latest = ；最近：{ $recent }
setup-hint = 使用 /setup 编辑你的资料。
leaderboard-head = **排行榜 — { $season }{ $ended ->
        [yes] （已结束）
       *[no] {""}
    }** — 第 { $page }/{ $pages } 页（共 { $total } 条）{ $filters }
filter-race = 种族 { $values }
filter-country = 国家 { $values }
filter-region = 地区 { $values }
filter-rank = 段位 { $values }
filter-best = 仅最佳种族
button-previous = ◀ 上一页
button-next = 下一页 ▶
history-head = **比赛历史** — 第 { $page }/{ $pages } 页
history-row = #{ $match } { $race }（{ $outcome }）对阵 { $opponent }（{ $opponent_race }），地图 { $map }：{ $state }{ $change }

## 机器人的回复
terms = **天梯规则**
    • 在指定的地图和服务器上比赛，游戏速度为“更快”。
    • 如实报告结果；尽量上传录像 — 录像可以自动确定结果。
    • 请在时限内确认，否则比赛作废。
    • 争议由管理员裁定，裁定为最终结果。
    点击 **接受** 即可参加。
button-accept = 接受
help = **天梯使用方法**
    1. 使用 `/termsofservice` 并接受条款。
    2. 使用 `/setup` 设置游戏内名称、战网 ID、国家和地区。
    3. 使用 `/queue`（可指定种族）排队，等待下一轮匹配。
    4. 确认比赛并进行游戏，然后上传录像或报告结果。
    `/profile`、`/leaderboard` 和 `/history` 可查看排名。
restarting = ⏳ ladderd 正在重启；未执行任何操作 — 请一分钟后再试。
done = 完成。
cancelled = 已取消；未执行任何操作。
inbox = 📬 以下是未能发送到你私信的消息：
setup-title = 天梯设置
setup-name = 游戏内名称
setup-name-hint = 3–12 个字母
setup-battletag = 战网 ID
setup-battletag-hint = Name#1234
setup-alt-names = 其他游戏内名称
setup-alt-names-hint = 最多三个，用逗号分隔
setup-country = 国家
setup-country-hint = ISO 代码，如 CN（XX：无）
setup-region = 地区
setup-region-hint = 如 CN、KR、EU

## 确认消息
ack-terms-accepted = 已接受条款；现在请设置资料（游戏内名称、战网 ID、国家、地区）
ack-terms-already-accepted = 你已经接受过条款
ack-profile-saved = 资料已保存
ack-country-none = 国家已保存：不代表任何国家
ack-country-saved = 国家已保存：{ $country }
ack-queued = 你已用 { $races } 加入队列；下一轮匹配还有 { $seconds } 秒
ack-left-queue = 你已离开队列
ack-confirmed = 已确认；正在等待对手
ack-already-confirmed = 你已经确认过；正在等待对手
ack-both-confirmed = 双方都已确认这场比赛
ack-report-saved = 报告已保存
ack-report-saved-waiting = 报告已保存；正在等待对手的报告（或录像）
ack-report-saved-upload = 报告已保存；本天梯以已验证的录像确定结果：请上传比赛 #{ $match } 的录像
ack-replay-settled = 谢谢；录像已经确定了这场比赛的结果

## 录像上传
upload-too-big-announced = 此文件为 { $size } 字节；超过 { $limit } 字节的录像不予接受
upload-too-many = 你在最近一分钟内发送了 { $count } 个录像；请 { $seconds } 秒后再试
upload-bad-url = 附件网址无效
upload-timeout = 下载录像超时
upload-failed = 下载录像失败：{ $detail }
upload-too-big = 录像大于 { $limit } 字节
upload-unreadable = 无法读取此录像：{ $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 你已经搜索了 { $minutes } 分钟。还在找对手吗？请在 { $deadline } 内回答，否则将离开队列。
button-keep-searching = 继续搜索
queue-expired = 你已离开队列：没有回答“还在找对手吗？”。准备好后请重新加入。
someone-searching = 🔔 有人开始找对手了（{ $races }，分数 { $rating }）；当前有 { $searching } 人在搜索。

## 通知：天梯告诉选手或大厅的内容
result-won = { $winner } 战胜了 { $loser }
ended-agreed = 双方报告一致
ended-replay = 由已验证的录像判定
ended-admin = 由管理员判定
ended-aborted-by = 由 { $name } 取消（本月还剩 { $left } 次取消机会；{ $wait }后可重新排队）
ended-admin-reset = 管理员重置了本场比赛的一名选手：{ $reason }
duration = { $hours ->
        [0] { $minutes } 分钟
       *[other] { $minutes ->
            [0] { $hours } 小时
           *[other] { $hours } 小时 { $minutes } 分钟
        }
    }
note-lapsed = 你没有及时确认比赛 #{ $match }；比赛记为放弃，并计为一次取消（本月还剩 { $left } 次）；{ $wait }后可重新排队
note-lapsed-forgiven = 你没有及时确认比赛 #{ $match }，比赛记为放弃；但比赛卡片送达太晚或未送达，因此不受任何处罚
note-opponent-lapsed = 对手没有确认比赛 #{ $match }；你已回到队列
note-restart-emptied-queue = ladderd 已重启，队列已清空；准备好后请重新加入
note-staying-in-queue = 你将继续留在队列中
note-removed-from-queue = 管理员将你移出了队列：{ $reason }
note-queue-cleared = 管理员清空了队列：{ $reason }
note-banned = 你已被禁止参加天梯：{ $reason }
note-unbanned = 你的天梯禁令已解除
note-no-maps = 无
note-map-pool-changed = 地图池已更改——新增：{ $added }；移除：{ $removed }。已成立的比赛保留原地图。
note-season-started = { $ended } 已结束；{ $started } 开始，共 { $maps } 张地图
note-notifications-off = 通知已关闭；使用 `/通知 开启:true` 可在有人开始搜索时收到提醒
note-notifications-on = 通知已开启：有人开始搜索时提醒你，最多每 { $minutes } 分钟一次
note-notifications-quiet = ，{ $from } 至 { $to }（{ $zone }）不提醒
note-notifications-near = ，只提醒积分相差 { $points } 分以内的对手
note-replay-unattached = 录像已保存；它没有关联到任何比赛
note-replay-rejected = 录像未被接受：{ $detail }
note-replay-after-admin = 录像已保存；这场比赛已由管理员判定
note-replay-agrees = 录像已保存；与结果一致
note-replay-kept = 录像已验证并保存；在本天梯，比赛 #{ $match } 由双方的报告确定
note-replay-stored = 录像已保存；比赛 #{ $match } 的状态为{ $state }

## 被拒绝的输入
invalid-replay-reused = 这个录像已用于另一场比赛；请上传本场比赛的录像
invalid-unknown-season = 没有赛季 { $season }；现有赛季：{ $known }
invalid-same-player = 对战记录需要两名不同的选手
invalid-unknown-region = “{ $region }”不是本天梯的地区；请从以下选择：{ $choices }
invalid-expired-buttons = 这些排行榜按钮已过期；请重新运行 /排行榜
invalid-notifications-off = 本天梯已关闭通知功能
invalid-ping-gap = 提醒间隔必须为 { $min } 到 { $max } 分钟
invalid-quiet-hours = 免打扰时段的格式为 22-07 或 22:30-07:00（或 off），而不是“{ $given }”
invalid-quiet-hours-empty = 免打扰时段的开始和结束时间相同：“{ $given }”
invalid-time-zone = “{ $given }”不是时区；请使用 Europe/Berlin 或 Asia/Shanghai 这样的名称
invalid-near-rating = 积分范围最多为 { $max } 分（0：不限）
invalid-no-replay = 比赛 #{ $match } 没有已验证的录像
invalid-rating = { $value } 不是可用的积分
invalid-not-in-queue = 选手 { $player } 不在队列中
invalid-no-season-name = 请为下一个赛季命名
setup-field-problem = { $field }：{ $problem }
problem-name-length = “{ $name }”有 { $chars } 个字符；游戏内名称为 3 到 12 个字符
problem-name-letters = “{ $name }”包含“{ $found }”；游戏内名称只能包含字母
problem-tag-no-hash = “{ $tag }”没有“#”；战网昵称的格式为 Name#1234
problem-tag-name-length = 名称部分“{ $name }”有 { $chars } 个字符；应为 1 到 12 个
problem-tag-name-chars = 名称部分“{ $name }”只能包含字母或数字，且不能以数字开头
problem-tag-digits = 数字部分“{ $digits }”必须是 3 到 12 位数字
problem-too-many-alt-names = 填写了 { $given } 个；其他名称最多 { $max } 个
problem-alt-name-twice = “{ $name }”重复了（或与游戏内名称相同）；名称必须各不相同
problem-country = “{ $given }”不是 ISO 3166 国家代码（两个字母，如 CN、KR、DE；无国家填 XX）
problem-region = “{ $given }”不是本天梯的地区；请从以下选择一个：{ $choices }
