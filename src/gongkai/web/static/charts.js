/* Charts from the JSON the page carries; ECharts is served from /static/vendor. */
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || !window.echarts) return;
  var d = JSON.parse(node.textContent || "{}");
  var years = (d.years || []).map(String);
  var font = {fontFamily: "Noto Sans CJK SC, sans-serif"};
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, {renderer: "svg"});
    option.textStyle = font;
    option.animation = false;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    el.setAttribute("data-ready", "yes");
  }
  chart("chart-apps", {
    tooltip: {trigger: "axis"}, grid: {left: 50, right: 20, top: 20, bottom: 30},
    xAxis: {type: "category", data: years}, yAxis: {type: "value"},
    series: [{type: "bar", name: "新收申请", data: d.applications, itemStyle: {color: "#7a1f1f"},
      label: {show: true, position: "top"}}]
  });
  chart("chart-outcomes", {
    tooltip: {trigger: "axis"}, legend: {top: 0, type: "scroll"}, grid: {left: 50, right: 20, top: 50, bottom: 30},
    xAxis: {type: "category", data: years}, yAxis: {type: "value", max: 100},
    series: (d.outcomes || []).map(function (o) { return {type: "bar", stack: "all", name: o.name, data: o.data}; })
  });
  chart("chart-rates", {
    tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 50, right: 20, top: 40, bottom: 30},
    xAxis: {type: "category", data: years}, yAxis: {type: "value", max: 100},
    series: [
      {type: "line", name: "行政复议纠错率", data: d.review_rate, connectNulls: true, label: {show: true}},
      {type: "line", name: "行政诉讼纠错率", data: d.litigation_rate, connectNulls: true, label: {show: true}}
    ]
  });
  var regions = (d.regions || []).slice().reverse();
  chart("chart-regions", {
    tooltip: {trigger: "axis"}, grid: {left: 110, right: 30, top: 10, bottom: 30},
    yAxis: {type: "category", data: regions.map(function (r) { return r.name; })}, xAxis: {type: "value"},
    series: [{type: "bar", name: "新收申请", data: regions.map(function (r) { return r.value; }),
      itemStyle: {color: "#0b5cad"}, label: {show: true, position: "right"}}]
  });
})();
