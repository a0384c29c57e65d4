// aftersales insights: the telephone page's charts (drawn by charts.js, which must load first).
(function () {
  insightsCharts.register("calls", function (data, base) {
    const s = data.series;
    const l = data.labels;
    return Object.assign(base, {
      title: { text: l.calls_title, textStyle: { fontSize: 14 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: l.calls_in, type: "bar", stack: "calls", data: s.calls_in },
        { name: l.calls_out, type: "bar", stack: "calls", data: s.calls_out },
        { name: l.missed, type: "line", data: s.missed },
      ],
    });
  });
  insightsCharts.register("shares", function (data, base) {
    const s = data.series;
    const l = data.labels;
    return Object.assign(base, {
      title: { text: l.shares_title, textStyle: { fontSize: 14 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [
        { name: l.answered_in_time_share, type: "line", connectNulls: true, data: s.answered_in_time_share },
        { name: l.missed_callback_share, type: "line", connectNulls: true, data: s.missed_callback_share },
      ],
    });
  });
})();
