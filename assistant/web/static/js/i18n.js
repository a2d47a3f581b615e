// English / 中文 strings and the language switch shared by the three pages.

const STRINGS = {
  en: {
    "app.title": "Repair shop assistant",
    "app.subtitle": "Find a partner repair shop for your claim",
    "lang.toggle": "中文",
    "lang.toggle.label": "中文 (switch to Chinese)",
    "chat.new": "New chat",
    "chat.placeholder": "Type your message…",
    "chat.input.label": "Your message",
    "chat.send": "Send",
    "chat.log.label": "Conversation",
    "chat.welcome":
      "Hello! I can help you find a good repair shop for your car. Tell me your car, what is damaged and where you are.",
    "chat.quick.label": "Start with an example",
    "chat.quick": [
      "My BMW X3 has a scratched rear bumper, I'm in Shanghai Pudong",
      "My Toyota's windshield is cracked, I'm in Shenzhen",
      "My Tesla Model 3 was rear-ended in Beijing",
    ],
    "chat.thinking": "The assistant is typing…",
    "chat.prefs.label": "What I understood",
    "chat.other": "Show me other options",
    "chat.other.msg": "Show me other options",
    "chat.own": "I'll choose my own shop",
    "chat.own.msg": "I'll choose my own shop",
    "chat.human": "Talk to a person",
    "chat.human.msg": "I want to talk to a human",
    "chat.choose.msg": (rank) => `I'll take the ${ORDINALS_EN[rank] || `number ${rank}`} one`,
    "chat.booked.title": "Booked",
    "chat.booked.next": "The shop will contact you to arrange the drop-off.",
    "chat.handoff.title": "A claims agent is joining",
    "chat.handoff.body": (ticket) => `Ticket ${ticket}. An agent will reply here shortly.`,
    "chat.ownshop.title": "Your own shop",
    "chat.ownshop.body": "We have noted that you will use your own repair shop. You can still ask for suggestions.",
    "chat.error": "Sorry, something went wrong.",
    "chat.error.network": "We could not reach the service. Please check your connection and try again.",
    "chat.error.session": "Your previous chat has expired, so we started a new one.",
    "chat.rights": "You are free to choose any repair shop.",
    "card.rank": (rank) => `Option ${rank}`,
    "card.distance": "Distance",
    "card.rating": "Rating",
    "card.wait": "Wait",
    "card.wait.now": "Ready now",
    "card.wait.days": (d) => `${d} days`,
    "card.km": (km) => `${km} km`,
    "card.authorized": "Authorized for",
    "card.independent": "Multi-brand shop (no brand authorization)",
    "card.exploration": "Trying out",
    "card.exploration.title": "A shop we know less about and are trying out",
    "card.new": "New partner",
    "card.why": "Why this shop?",
    "card.why.caption": "What the recommendation score is made of (larger bar = weighs more)",
    "card.choose": "Choose this shop",
    "card.chosen": "Chosen",
    "card.map": "Map",
    "card.map.title": (name) => `Open ${name} on OpenStreetMap (new tab)`,
    "pref.city": "City",
    "pref.location": "Near",
    "pref.vehicle": "Car",
    "pref.damage": "Damage",
    "pref.dealer": "Shop type",
    "pref.max_distance": "Within",
    "pref.priority": "Priority",
    "pref.courtesy": "Courtesy car",
    "pref.pickup": "Pick-up",
    "key.title.agent": "Agent sign-in",
    "key.title.ops": "Operations sign-in",
    "key.label": "API key",
    "key.hint": "The key is kept only in this browser tab.",
    "key.submit": "Sign in",
    "key.signout": "Sign out",
    "key.invalid": "That key was not accepted. Please check it and try again.",
    "agent.title": "Agent copilot",
    "agent.queue": "Queue",
    "agent.queue.empty": "No conversations yet.",
    "agent.handoff": "Hand-off",
    "agent.open.label": "Open a session by id",
    "agent.open.placeholder": "Session id",
    "agent.open": "Open",
    "agent.pick": "Select a conversation from the queue, or open one by its id.",
    "agent.summary": "Claim summary",
    "agent.transcript": "Live transcript",
    "agent.copilot": "Copilot",
    "agent.suggested": "Suggested reply",
    "agent.copy": "Copy reply",
    "agent.copied": "Copied",
    "agent.next": "Next best actions",
    "agent.recs": "Recommendations",
    "agent.refresh": "Refresh suggestion",
    "agent.stage": "Stage",
    "agent.language": "Language",
    "agent.claim": "Claim",
    "agent.booked": "Booked shop",
    "agent.ticket": "Ticket",
    "agent.reason": "Reason",
    "agent.updated": "Updated",
    "agent.you": "Customer",
    "agent.assistant": "Assistant",
    "agent.none": "–",
    "ops.title": "Operations",
    "ops.kpis": "Key figures",
    "ops.updated": (t) => `Updated ${t}`,
    "ops.refresh": "Refresh",
    "ops.nodata": "No data yet",
    "ops.kpi.decisions": "Decisions",
    "ops.kpi.outcomes": "Outcomes",
    "ops.kpi.acceptance": "Acceptance rate",
    "ops.kpi.offers": "Offers to accept",
    "ops.kpi.wait": "Mean wait (days)",
    "ops.kpi.p90": "p90",
    "ops.kpi.gini": "Utilisation Gini",
    "ops.kpi.lag": "Capacity lag",
    "ops.timeline": "Acceptance over the last 24 hours",
    "ops.timeline.desc": "Decisions per hour (bars) and the acceptance rate (line)",
    "ops.offers": "Offers until a customer accepts",
    "ops.offers.desc": "Sessions by the number of slates shown before a booking",
    "ops.wait": "Expected wait of accepted shops",
    "ops.wait.desc": "Accepted recommendations by expected wait (days)",
    "ops.util": "Shop utilisation: ice and fire",
    "ops.util.desc": "Shops by share of bays busy: idle (blue) next to overloaded (red)",
    "ops.newshops": "New-shop targets",
    "ops.newshops.desc": "Jobs given to new partner shops against their pro-rated monthly targets",
    "ops.newshops.axis": "% of the target due so far, per shop",
    "ops.util.axis": "% of bays busy",
    "ops.capacity.axis": "age of the newest report",
    "ops.reporting": (n, all) => `${n} of ${all} shops reporting`,
    "ops.strategies": "Strategy A/B",
    "ops.strategies.desc": "Accepted and rejected recommendations per strategy",
    "ops.capacity": "Live capacity freshness",
    "ops.capacity.desc": "Shops by the age of their newest capacity report",
    "ops.decisions": "decisions",
    "ops.accepted": "accepted",
    "ops.rejected": "rejected",
    "ops.rate": "acceptance",
    "ops.sessions": "sessions",
    "ops.shops": "shops",
    "ops.slates": "slates",
    "ops.days": "days",
    "ops.idle": "idle",
    "ops.full": "full",
    "ops.gini": "Gini",
    "ops.progress": (a, t) => `${a} of ${t} jobs due so far`,
    "ops.events": "events",
    "ops.never": "never",
    "ops.lag": (s) => `newest report ${s} ago`,
  },
  zh: {
    "app.title": "维修厂助手",
    "app.subtitle": "为您的理赔找到合适的合作维修厂",
    "lang.toggle": "EN",
    "lang.toggle.label": "EN（切换到英文）",
    "chat.new": "新对话",
    "chat.placeholder": "请输入消息…",
    "chat.input.label": "您的消息",
    "chat.send": "发送",
    "chat.log.label": "对话",
    "chat.welcome": "您好！我可以帮您找到合适的维修厂。请告诉我您的车辆、损坏部位和所在位置。",
    "chat.quick.label": "可以这样开始",
    "chat.quick": ["我的宝马X3后保险杠刮花了，我在上海浦东", "我的丰田挡风玻璃裂了，我在深圳", "我的特斯拉在北京被追尾了"],
    "chat.thinking": "助手正在输入…",
    "chat.prefs.label": "已了解的信息",
    "chat.other": "换几家看看",
    "chat.other.msg": "换几家看看",
    "chat.own": "我自己选修理厂",
    "chat.own.msg": "我自己选修理厂",
    "chat.human": "转人工",
    "chat.human.msg": "转人工",
    "chat.choose.msg": (rank) => `我选第${ORDINALS_ZH[rank] || rank}家`,
    "chat.booked.title": "预约成功",
    "chat.booked.next": "门店会联系您安排送车。",
    "chat.handoff.title": "正在为您转接理赔专员",
    "chat.handoff.body": (ticket) => `工单号${ticket}，专员稍后会在这里回复您。`,
    "chat.ownshop.title": "自选维修厂",
    "chat.ownshop.body": "已记录您将使用自己选择的维修厂。如需推荐，随时告诉我。",
    "chat.error": "抱歉，出了点问题。",
    "chat.error.network": "暂时无法连接服务，请检查网络后重试。",
    "chat.error.session": "之前的对话已过期，已为您开始新的对话。",
    "chat.rights": "您有权自主选择任何维修厂。",
    "card.rank": (rank) => `推荐${rank}`,
    "card.distance": "距离",
    "card.rating": "评分",
    "card.wait": "等待",
    "card.wait.now": "可立即接车",
    "card.wait.days": (d) => `${d}天`,
    "card.km": (km) => `${km}公里`,
    "card.authorized": "授权品牌",
    "card.independent": "多品牌维修（无品牌授权）",
    "card.exploration": "尝试推荐",
    "card.exploration.title": "这家店我们了解还不多，正在尝试推荐",
    "card.new": "新合作门店",
    "card.why": "为什么推荐这家？",
    "card.why.caption": "推荐得分的构成（条越长，权重越大）",
    "card.choose": "选择这家",
    "card.chosen": "已选择",
    "card.map": "地图",
    "card.map.title": (name) => `在OpenStreetMap上查看${name}（新标签页）`,
    "pref.city": "城市",
    "pref.location": "位置",
    "pref.vehicle": "车辆",
    "pref.damage": "损坏",
    "pref.dealer": "门店类型",
    "pref.max_distance": "范围",
    "pref.priority": "优先",
    "pref.courtesy": "代步车",
    "pref.pickup": "上门取车",
    "key.title.agent": "坐席登录",
    "key.title.ops": "运营登录",
    "key.label": "API 密钥",
    "key.hint": "密钥只保存在当前浏览器标签页中。",
    "key.submit": "登录",
    "key.signout": "退出",
    "key.invalid": "密钥无效，请检查后重试。",
    "agent.title": "坐席助手",
    "agent.queue": "会话队列",
    "agent.queue.empty": "暂无会话。",
    "agent.handoff": "转人工",
    "agent.open.label": "按会话ID打开",
    "agent.open.placeholder": "会话ID",
    "agent.open": "打开",
    "agent.pick": "请从队列中选择一个会话，或按ID打开。",
    "agent.summary": "案件摘要",
    "agent.transcript": "实时对话",
    "agent.copilot": "智能助手",
    "agent.suggested": "建议回复",
    "agent.copy": "复制回复",
    "agent.copied": "已复制",
    "agent.next": "建议操作",
    "agent.recs": "推荐门店",
    "agent.refresh": "刷新建议",
    "agent.stage": "阶段",
    "agent.language": "语言",
    "agent.claim": "案件",
    "agent.booked": "已预约门店",
    "agent.ticket": "工单",
    "agent.reason": "原因",
    "agent.updated": "更新",
    "agent.you": "客户",
    "agent.assistant": "助手",
    "agent.none": "–",
    "ops.title": "运营看板",
    "ops.kpis": "关键指标",
    "ops.updated": (t) => `更新于 ${t}`,
    "ops.refresh": "刷新",
    "ops.nodata": "暂无数据",
    "ops.kpi.decisions": "推荐次数",
    "ops.kpi.outcomes": "反馈次数",
    "ops.kpi.acceptance": "接受率",
    "ops.kpi.offers": "平均推荐轮数",
    "ops.kpi.wait": "平均等待（天）",
    "ops.kpi.p90": "P90",
    "ops.kpi.gini": "产能基尼系数",
    "ops.kpi.lag": "产能数据延迟",
    "ops.timeline": "近24小时接受情况",
    "ops.timeline.desc": "每小时推荐次数（柱）与接受率（线）",
    "ops.offers": "客户接受前的推荐轮数",
    "ops.offers.desc": "按预约前展示的推荐批次数统计会话",
    "ops.wait": "已接受门店的预计等待",
    "ops.wait.desc": "按预计等待天数统计已接受的推荐",
    "ops.util": "门店产能利用：冰与火",
    "ops.util.desc": "按工位占用率统计门店：空闲（蓝）与超负荷（红）",
    "ops.newshops": "新门店目标",
    "ops.newshops.desc": "新合作门店获得的案件与按日折算的月度目标",
    "ops.newshops.axis": "各门店截至今日目标完成度（%）",
    "ops.util.axis": "工位占用率（%）",
    "ops.capacity.axis": "最新上报距今",
    "ops.reporting": (n, all) => `${all}家门店中${n}家已上报`,
    "ops.strategies": "策略 A/B 对比",
    "ops.strategies.desc": "各策略被接受与被拒绝的推荐",
    "ops.capacity": "实时产能新鲜度",
    "ops.capacity.desc": "按最新产能上报的时间统计门店",
    "ops.decisions": "推荐",
    "ops.accepted": "接受",
    "ops.rejected": "拒绝",
    "ops.rate": "接受率",
    "ops.sessions": "会话",
    "ops.shops": "门店",
    "ops.slates": "轮",
    "ops.days": "天",
    "ops.idle": "空闲",
    "ops.full": "满负荷",
    "ops.gini": "基尼系数",
    "ops.progress": (a, t) => `已分配 ${a} 单 / 截至今日目标 ${t} 单`,
    "ops.events": "条事件",
    "ops.never": "从未上报",
    "ops.lag": (s) => `最新上报于 ${s}前`,
  },
};

const ORDINALS_EN = { 1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth" };
const ORDINALS_ZH = { 1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六" };

const FACTOR_NAMES = {
  en: {
    distance_km: "Distance",
    travel_minutes: "Travel time",
    rating: "Rating",
    review_count: "Reviews",
    complaint_rate: "Few complaints",
    rework_rate: "Little rework",
    expected_wait_days: "Short wait",
    free_bays: "Free bays",
    cycle_days: "Repair time",
    parts_in_stock: "Parts in stock",
    cost_index: "Price",
    authorized_for_make: "Authorized for your make",
    certified_for_damage: "Certified for this repair",
    courtesy_cars: "Courtesy cars",
    pickup_service: "Pick-up service",
    deadline_slack_days: "Meets your deadline",
    utilization_balance: "Spreads the work fairly",
    insurer_cost: "Insurer cost",
    learned_value: "Past customer outcomes",
    exploration_bonus: "Learning about the shop",
    new_shop: "New partner shop",
  },
  zh: {
    distance_km: "距离",
    travel_minutes: "路程时间",
    rating: "评分",
    review_count: "评价数",
    complaint_rate: "投诉少",
    rework_rate: "返修少",
    expected_wait_days: "等待短",
    free_bays: "空闲工位",
    cycle_days: "维修周期",
    parts_in_stock: "配件库存",
    cost_index: "价格",
    authorized_for_make: "品牌授权",
    certified_for_damage: "维修资质",
    courtesy_cars: "代步车",
    pickup_service: "上门取车",
    deadline_slack_days: "满足时限",
    utilization_balance: "均衡分配产能",
    insurer_cost: "理赔成本",
    learned_value: "过往客户反馈",
    exploration_bonus: "了解新门店",
    new_shop: "新合作门店",
  },
};

let current = "en";
const listeners = [];

export function lang() {
  return current;
}

/** The string for `key` in the current language; functions are called with `args`. */
export function t(key, ...args) {
  const value = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
}

export function factorName(name) {
  return FACTOR_NAMES[current][name] || FACTOR_NAMES.en[name] || name.replaceAll("_", " ");
}

/** `?lang=` beats a stored choice, which beats the browser's language. */
export function initialLanguage() {
  const param = new URLSearchParams(location.search).get("lang");
  if (param === "zh" || param === "en") return param;
  const stored = localStorage.getItem("rih.lang");
  if (stored === "zh" || stored === "en") return stored;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function onLanguageChange(fn) {
  listeners.push(fn);
}

export function setLanguage(next, { remember = true } = {}) {
  current = next === "zh" ? "zh" : "en";
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  if (remember) {
    localStorage.setItem("rih.lang", current);
    const url = new URL(location.href);
    if (url.searchParams.has("lang")) {
      url.searchParams.set("lang", current);
      history.replaceState(null, "", url);
    }
  }
  applyStrings();
  listeners.forEach((fn) => fn(current));
}

/** Fill every [data-i18n], [data-i18n-placeholder], [data-i18n-aria-label] and [data-i18n-title]. */
export function applyStrings(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
  for (const attr of ["placeholder", "aria-label", "title"]) {
    const data = `i18n${attr.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
    root.querySelectorAll(`[data-i18n-${attr}]`).forEach((el) => el.setAttribute(attr, t(el.dataset[data])));
  }
}

/** Wire a toggle button that flips EN <-> 中文. */
export function bindToggle(button) {
  button.addEventListener("click", () => setLanguage(current === "en" ? "zh" : "en"));
}

const VOCAB = {
  en: {
    damage: {
      collision: "collision",
      glass: "glass",
      paint: "paint",
      mechanical: "mechanical",
      electrical: "electrical",
      ev_battery: "EV battery",
      adas: "ADAS sensors",
      flood: "flood",
      tire: "tyres",
    },
    dealer: { authorized: "authorized dealer (4S)", independent: "independent" },
    priority: { distance: "close by", quality: "quality", speed: "speed", cost: "cost" },
    stage: { new: "new", gathering: "gathering", offered: "offered", booked: "booked", own_shop: "own shop", handoff: "hand-off" },
    yes: "yes",
    no: "no",
  },
  zh: {
    damage: {
      collision: "碰撞",
      glass: "玻璃",
      paint: "漆面",
      mechanical: "机械",
      electrical: "电气",
      ev_battery: "动力电池",
      adas: "辅助驾驶传感器",
      flood: "泡水",
      tire: "轮胎",
    },
    dealer: { authorized: "品牌4S店", independent: "综合修理厂" },
    priority: { distance: "距离近", quality: "质量", speed: "速度", cost: "费用" },
    stage: { new: "新会话", gathering: "了解需求", offered: "已推荐", booked: "已预约", own_shop: "自选门店", handoff: "转人工" },
    yes: "需要",
    no: "不需要",
  },
};

/** A vocabulary word (damage type, dealer preference, priority, stage) in the current language. */
export function vocab(kind, value) {
  const table = VOCAB[current][kind] || {};
  return table[value] ?? String(value);
}

export function yesNo(value) {
  return value ? VOCAB[current].yes : VOCAB[current].no;
}
